// The "lab-restart" scenario of driver.js: kernel persistence seen from an open JupyterLab
// page. Invoked by tests-integration/test_browser.py as `node driver.js lab-restart`, on a
// server started with MappingKernelManager.enable_persistence on.
//
// Open JupyterLab, create a notebook, run `x = 41`; then print the line RESTART_REQUEST on
// stdout and wait for one line on stdin: meanwhile the test kills the server with kill -9
// and starts it again on the same port and runtime directory. Without touching or reloading
// the page (a person waits, at most dismissing the "Server Connection Error" dialog), wait
// until JupyterLab has reconnected its kernel by itself, then run `x + 1` in the next cell:
// 42 means the very same kernel process answered.
// Results: notebook, kernel_ids (every kernel id the page opened a WebSocket to),
// kernel_name_after, page_mark ("before the restart" unless the page was reloaded), output.
"use strict";

const RESTART_REQUEST = "@@restart-the-server@@"; // test_browser.py answers it
const RECONNECT_TIMEOUT = 150000;

module.exports = ({ step, newNotebookFromLauncher, waitKernelIdle, results, TIMEOUT }) => {
  const readline = require("readline");

  // One line from the test on stdin: the server is back.
  function serverRestarted() {
    return new Promise((resolve, reject) => {
      const lines = readline.createInterface({ input: process.stdin });
      const closed = () => reject(new Error("stdin closed: the test did not restart the server"));
      lines.once("close", closed);
      lines.once("line", () => { lines.off("close", closed); lines.close(); resolve(); });
    });
  }

  async function runCell(page, index, code, done) {
    const cell = page.locator(".jp-NotebookPanel:visible .jp-Cell").nth(index);
    const editor = cell.locator(".jp-InputArea-editor .cm-content");
    await step(`type ${code} in cell ${index + 1}`, async () => {
      await editor.click();
      await page.keyboard.press("Control+a");
      await page.keyboard.press("Delete");
      await page.keyboard.type(code);
      const typed = await editor.innerText();
      if (!typed.includes(code)) throw new Error(`the editor shows ${JSON.stringify(typed)}`);
    }, { tries: 3 });
    await step(`run ${code} with Shift+Enter`, async () => {
      await editor.click();
      await page.keyboard.press("Shift+Enter");
      await done(cell);
    });
  }

  async function labRestart(context, page) {
    const kernelIds = [];
    page.on("websocket", (ws) => {
      const match = /\/api\/kernels\/([^/]+)\/channels/.exec(ws.url());
      if (match && !kernelIds.includes(match[1])) kernelIds.push(match[1]);
    });
    await step("open JupyterLab with the token", async () => {
      await page.goto(`${process.env.JUPYTER_URL}lab?token=${process.env.JUPYTER_TOKEN}`, { timeout: TIMEOUT });
      await page.locator(".jp-Launcher").waitFor({ timeout: TIMEOUT });
    });
    // A mark on the page's window: a reload would lose it.
    await page.evaluate(() => { window.jupyterPageMark = "before the restart"; });
    await newNotebookFromLauncher(page);
    await step("wait for the kernel to be idle", () => waitKernelIdle(page));
    const prompt = (cell) => cell.locator(".jp-InputPrompt").filter({ hasText: "[1]" }).first()
      .waitFor({ timeout: TIMEOUT });
    await runCell(page, 0, "x = 41", prompt);

    const kernelName = page.locator(".jp-NotebookPanel:visible .jp-KernelName").first();
    const dialog = page.locator(".jp-Dialog");
    await step("the test kills the server with kill -9 and starts it again", async () => {
      page.kernelReady = false; // set again by the next kernel_info_reply (driver.js)
      process.stdout.write(`${RESTART_REQUEST}\n`);
      await serverRestarted();
    });
    await step("JupyterLab reconnects to the kernel by itself", async () => {
      // Its own schedule: up to 7 attempts, each after a random wait that doubles (to 63 s).
      const deadline = Date.now() + RECONNECT_TIMEOUT;
      for (;;) {
        // The dialog JupyterLab opens while its polls fail; a person dismisses it.
        if (await dialog.isVisible()) await dialog.locator("button").last().click().catch(() => {});
        const name = (await kernelName.innerText()).trim();
        if (/no kernel/i.test(name)) throw new Error(`the notebook lost its kernel: the toolbar says ${name}`);
        if (page.kernelReady && !(await dialog.isVisible())) break;
        if (Date.now() > deadline) {
          throw new Error(`no reconnection: kernel_info_reply seen ${page.kernelReady}, the toolbar says ${name}`);
        }
        await page.waitForTimeout(250);
      }
      results.kernel_name_after = (await kernelName.innerText()).trim();
    });
    await runCell(page, 1, "x + 1", async (cell) => {
      await cell.locator(".jp-OutputArea-output").filter({ hasText: "42" }).first().waitFor({ timeout: TIMEOUT });
      results.output = (await cell.locator(".jp-OutputArea-output").first().innerText()).trim();
    });
    results.kernel_ids = kernelIds;
    results.page_mark = await page.evaluate(() => window.jupyterPageMark || null);
  }

  return labRestart;
};
