// The "lab-unattended" scenario of driver.js: output that comes while no page is open ends up
// in the notebook (the server's kernel output journal, docs/kernel-journal.md). Invoked by
// tests-integration/test_browser.py as `node driver.js lab-unattended`.
//
// Open JupyterLab, create a notebook and save it as it is (one empty cell, whose id is now on
// disk), type a cell that prints 1 to 10 over ten seconds, run it, see 2 come, close the page. The server writes the rest into the file while nobody watches. Wait until the cell is
// done, open the notebook again in a new page: all ten lines are in the cell's output.
// Results: notebook, output_before_close, file_output (the server's copy), reopened_output.
"use strict";

const CODE = "for i in range(1, 11): print(i, flush=True) or __import__('time').sleep(1)";
const ALL = Array.from({ length: 10 }, (_, i) => `${i + 1}`).join("\n");

module.exports = ({ step, api, openLab, newNotebookFromLauncher, waitKernelIdle, runFirstCell, waitForFile,
  notebookOutputs, results, TIMEOUT, RETRY_TIMEOUT, BASE, TOKEN }) => {
  const cellOutput = (page) => page.locator(".jp-NotebookPanel:visible .jp-Cell").first().locator(".jp-OutputArea-output");

  async function labUnattended(context, page) {
    await openLab(page);
    await newNotebookFromLauncher(page);
    await step("wait for the kernel to be idle", () => waitKernelIdle(page));
    const route = () => `api/contents/${encodeURI(results.notebook)}?content=1`;
    await step("save the new notebook as it is, one empty cell", async () => {
      await page.locator(".jp-NotebookPanel:visible .jp-Notebook").first().focus();
      await page.keyboard.press("Control+s");
      const dialog = page.locator(".jp-Dialog");
      const deadline = Date.now() + TIMEOUT;
      for (;;) {
        if (await dialog.isVisible()) await dialog.locator(".jp-mod-accept").click();  // "Rename file?" keeps the name
        const { status, body } = await api(context, "GET", route());
        if (status === 200 && body.content.cells.length === 1 && body.content.cells[0].id) break;
        if (Date.now() > deadline) throw new Error(`${results.notebook} never reached the server with its cell`);
        await page.waitForTimeout(250);
      }
    });
    await runFirstCell(page, CODE, "2");  // 1 and 2 are out: two seconds in
    results.output_before_close = results.output;
    await step("close the page while the cell runs", () => page.close({ runBeforeUnload: false }));
    await step("the file on the server gets all ten lines", async () => {
      const model = await waitForFile(context, route(), (m) => notebookOutputs(m).trim() === ALL, 60000);
      results.file_output = notebookOutputs(model).trim();
    });
    const again = await step("open the notebook again in a new page", async () => {
      const reopened = await context.newPage();
      await reopened.goto(`${BASE}lab/tree/${encodeURI(results.notebook)}?token=${TOKEN}`, { timeout: TIMEOUT });
      await reopened.locator(".jp-NotebookPanel:visible").first().waitFor({ timeout: TIMEOUT });
      return reopened;
    });
    await step("all ten lines are in the cell's output", async () => {
      const output = cellOutput(again).first();
      await output.waitFor({ timeout: RETRY_TIMEOUT });
      results.reopened_output = (await output.innerText()).trim();
      if (results.reopened_output !== ALL) throw new Error(`the cell shows ${JSON.stringify(results.reopened_output)}`);
    });
  }

  return labUnattended;
};
