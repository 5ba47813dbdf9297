#!/usr/bin/env node
// Drives Debian's chromium through JupyterLab 4 or Notebook 7 as a person would, on a running
// server. Invoked by tests-integration/test_browser.py (and, for the hub scenario, a person
// at a real JupyterHub, see hub.js, by test_jupyterhub.py):
//
//   node driver.js <lab|notebook|lab-files|hub|lab-unattended>
//
// with JUPYTER_URL (the server's base URL, ending in "/"), JUPYTER_TOKEN and ARTIFACTS (a
// folder for screenshots, taken on failure, or at the end too with SCREENSHOTS=always) in the
// environment; CHROMIUM (default /usr/bin/chromium) and STEP_TIMEOUT_MS (60000) may be set. It prints one JSON object on its last stdout
// line: {"ok": true, "scenario": ..., "steps": [...], "results": {...}} or, on failure,
// {"ok": false, "failed_step": ..., "error": ..., "screenshots": [...]} with exit status 1.
// The pytest side checks the results again over the REST API, independently of the page.
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require("playwright-core");

const BASE = process.env.JUPYTER_URL;
const TOKEN = process.env.JUPYTER_TOKEN;
const ARTIFACTS = process.env.ARTIFACTS || path.join(__dirname, "..", "artifacts");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const TIMEOUT = Number(process.env.STEP_TIMEOUT_MS || 60000);
const RETRY_TIMEOUT = 10000; // one attempt of a step that is retried
const RENAMED = "renamed-in-notebook7.ipynb";
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync",
  "--disable-dev-shm-usage",
];

const steps = [];
const results = {};
const consoleErrors = [];
const httpErrors = []; // "<status> <method> <path>" of every answer >= 400 the pages got
const kernelFrames = []; // the last kernel WebSocket messages, for a failure report

// "<channel> <msg_type>" of a kernel WebSocket frame: JSON text (the legacy protocol) or the
// binary v1.kernel.websocket.jupyter.org framing (offsets, then channel and header).
function describeKernelFrame(payload) {
  try {
    if (typeof payload === "string") {
      const msg = JSON.parse(payload);
      return `${msg.channel} ${msg.header && msg.header.msg_type}${msg.content && msg.content.execution_state ? ` ${msg.content.execution_state}` : ""}`;
    }
    const count = Number(payload.readBigUInt64LE(0));
    const offsets = [];
    for (let i = 0; i < count; i++) offsets.push(Number(payload.readBigUInt64LE(8 * (i + 1))));
    const part = (i) => payload.subarray(offsets[i], offsets[i + 1]).toString("utf8");
    const header = JSON.parse(part(1));
    const content = count > 5 ? part(4) : "";
    const state = /"execution_state":\s*"(\w+)"/.exec(content);
    return `${part(0)} ${header.msg_type}${state ? ` ${state[1]}` : ""} (v1)`;
  } catch (error) {
    return `undecodable frame (${error.message})`;
  }
}

// Every kernel WebSocket of a page: its last frames go into a failure report, and
// page.kernelReady tells whether a kernel_info_reply came back on one, which is when the
// frontend can run code (before it, JupyterLab drops a cell run without a word).
function watchKernels(page) {
  page.kernelReady = false;
  page.on("websocket", (ws) => {
    if (!ws.url().includes("/channels")) return;
    kernelFrames.push(`open ${ws.url().replace(/^.*\/api\/kernels\//, "")}`);
    const note = (dir) => ({ payload }) => {
      const described = describeKernelFrame(payload);
      if (dir === "<-" && described.startsWith("shell kernel_info_reply")) page.kernelReady = true;
      kernelFrames.push(`${dir} ${described}`);
      if (kernelFrames.length > 60) kernelFrames.shift();
    };
    ws.on("framesent", note("->"));
    ws.on("framereceived", note("<-"));
    ws.on("close", () => kernelFrames.push("closed"));
  });
}

function log(message) {
  process.stderr.write(`[driver] ${message}\n`);
}

// Run one named step. A step given `tries` is one that changes nothing on the server (a
// click that opens a menu, keys typed into an editor): when an attempt fails, `reset` puts
// the page back and it is tried again; the last attempt's error is the step's error. Steps
// that create, run or save something are never retried, so a retry cannot hide a failure.
async function step(name, fn, { tries = 1, reset = async () => {} } = {}) {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      const value = await fn(attempt);
      steps.push({ name, ms: Date.now() - started, attempts: attempt });
      log(`ok   ${name} (${Date.now() - started} ms${attempt > 1 ? `, attempt ${attempt}` : ""})`);
      return value;
    } catch (error) {
      log(`fail ${name} (attempt ${attempt} of ${tries}): ${error.message.split("\n")[0]}`);
      if (attempt >= tries) {
        error.step = name;
        throw error;
      }
      await reset();
    }
  }
}

// The server's REST API, with the token, from inside the browser's context.
async function api(context, method, route, data) {
  const response = await context.request.fetch(`${BASE}${route}`, {
    method, headers: { Authorization: `token ${TOKEN}` }, data, failOnStatusCode: false,
  });
  const text = await response.text();
  let body = text;
  try { body = JSON.parse(text); } catch (_) { /* not JSON */ }
  return { status: response.status(), body };
}

// Poll the contents API until `route` answers 200 and `check(model)` holds.
async function waitForFile(context, route, check = () => true, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await api(context, "GET", route);
    if (last.status === 200 && check(last.body)) return last.body;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${route}: not as expected on the server (last answer ${last && last.status}: ${JSON.stringify(last && last.body).slice(0, 300)})`);
}

function notebookOutputs(model) {
  const text = [];
  for (const cell of (model.content && model.content.cells) || []) {
    for (const output of cell.outputs || []) {
      text.push([].concat(output.text || "").join(""));
    }
  }
  return text.join("");
}

// --- shared notebook steps (the same widgets in JupyterLab and Notebook 7) ---

async function waitKernelIdle(page) {
  // As a person waits for "Idle" next to the kernel's name: the page's kernel connection
  // has its kernel_info_reply, and the toolbar's execution indicator says idle.
  await waitFor(() => page.kernelReady, "no kernel_info_reply on a kernel WebSocket of the page");
  await page.locator(".jp-NotebookPanel:visible .jp-Notebook-ExecutionIndicator[data-status='idle']")
    .first().waitFor({ timeout: TIMEOUT });
}

async function runFirstCell(page, code, expected) {
  const panel = page.locator(".jp-NotebookPanel:visible").first();
  const editor = panel.locator(".jp-Cell").first().locator(".jp-InputArea-editor .cm-content");
  await step(`type ${code} in the first cell`, async () => {
    await editor.click();
    await page.keyboard.type(code);
    await waitForText(editor, code, RETRY_TIMEOUT);
  }, {
    tries: 3,
    reset: async () => {
      await editor.click();
      await page.keyboard.press("Control+a");
      await page.keyboard.press("Delete");
    },
  });
  await step("run the cell with Shift+Enter and see its output", async () => {
    await editor.click();
    await page.keyboard.press("Shift+Enter");
    const output = panel.locator(".jp-Cell").first().locator(".jp-OutputArea-output");
    await output.filter({ hasText: expected }).first().waitFor({ timeout: TIMEOUT });
    results.output = (await output.first().innerText()).trim();
  });
}

// Save with Ctrl+S; done when the server's copy holds the output. A first save of an untitled
// notebook may ask for a name (the name it has is kept); any other dialog (an error) fails.
async function save(context, page, filePath, expected) {
  await step("save with Ctrl+S and find the output in the file on the server", async () => {
    await page.locator(".jp-NotebookPanel:visible .jp-Notebook").first().focus();
    await page.keyboard.press("Control+s");
    const dialog = page.locator(".jp-Dialog");
    const deadline = Date.now() + TIMEOUT;
    for (;;) {
      if (await dialog.isVisible()) {
        const text = (await dialog.innerText()).replace(/\s+/g, " ");
        if (!/rename/i.test(text)) throw new Error(`a dialog came up on saving: ${text}`);
        await dialog.locator(".jp-mod-accept").click();
      }
      const { status, body } = await api(context, "GET", `api/contents/${encodeURI(filePath)}?content=1`);
      if (status === 200 && notebookOutputs(body).includes(expected)) return;
      if (Date.now() > deadline) {
        throw new Error(`${filePath} on the server has no output ${expected} (${status}: ${JSON.stringify(body).slice(0, 300)})`);
      }
      await page.waitForTimeout(250);
    }
  });
}

// --- JupyterLab ---

async function openLab(page) {
  await step("open JupyterLab with the token", async () => {
    await page.goto(`${BASE}lab?token=${TOKEN}`, { timeout: TIMEOUT });
    await page.locator(".jp-Launcher").waitFor({ timeout: TIMEOUT });
  });
}

// Click the launcher's Python notebook card; the new notebook's name goes to results.notebook.
async function newNotebookFromLauncher(page) {
  const notebookCard = page.locator(".jp-LauncherCard[data-category='Notebook']").first();
  await step("create a Python notebook from the launcher", async () => {
    await notebookCard.click();
    await page.locator(".jp-NotebookPanel:visible").first().waitFor({ timeout: TIMEOUT });
  });
  results.notebook = await page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel").innerText();
}

async function lab(context, page) {
  await openLab(page);
  await newNotebookFromLauncher(page);
  await step("wait for the kernel to be idle", () => waitKernelIdle(page));
  await runFirstCell(page, "print(6*7)", "42");
  await save(context, page, results.notebook, "42");
  await terminal(context, page);
}

// Every frame the page's terminal WebSockets receive, as text: what xterm draws on its canvas.
function watchTerminals(page) {
  const seen = { text: "" };
  page.on("websocket", (ws) => {
    if (!ws.url().includes("/terminals/websocket/")) return;
    ws.on("framereceived", ({ payload }) => {
      try {
        const [kind, data] = JSON.parse(String(payload));
        if (kind === "stdout") seen.text += data;
      } catch (_) { /* not a terminado message */ }
    });
  });
  return seen;
}

async function terminal(context, page) {
  const seen = watchTerminals(page);
  const terminalCard = page.locator(".jp-Launcher:visible .jp-LauncherCard[title='Start a new terminal session']");
  await step("open a new launcher with the + of the tab bar", async () => {
    if (!(await terminalCard.isVisible())) await page.locator("#jp-main-dock-panel .lm-TabBar-addButton").first().click();
    await terminalCard.waitFor({ timeout: RETRY_TIMEOUT });
  }, { tries: 3 });
  await step("start a terminal from the launcher", async () => {
    await terminalCard.click();
    await page.locator(".jp-Terminal:visible .xterm").waitFor({ timeout: TIMEOUT });
  });
  await step("see the shell's prompt", () => waitFor(() => seen.text.length > 0, "no output from the terminal"));
  await step("type a command in the terminal and see its output", async () => {
    await page.locator(".jp-Terminal:visible .xterm").click();
    await page.keyboard.type("echo terminal-$((6*7)) | tee marker.txt");
    await page.keyboard.press("Enter");
    await waitFor(() => seen.text.includes("terminal-42"), "the command's output never came");
  });
  await step("find the file the command wrote on the server", () => waitForFile(
    context, "api/contents/marker.txt?content=1", (m) => m.content.trim() === "terminal-42"));
  results.terminal_output = seen.text.slice(-300);
}

// The file browser, as a person uses it: delete a folder that has a file in it, open an HTML
// file in a new browser tab, then File > Shut Down. The test put doomed/inside.txt and
// page.html (with the text in HTML_MARKER) in the root before the server started.
async function labFiles(context, page) {
  await openLab(page);
  const item = (name) => page.locator(".jp-DirListing-content .jp-DirListing-item")
    .filter({ has: page.locator(".jp-DirListing-itemText", { hasText: new RegExp(`^${name}$`) }) }).first();
  const dialog = page.locator(".jp-Dialog");
  await step("right-click the folder doomed and choose Delete", async () => {
    await item("doomed").click({ button: "right", timeout: RETRY_TIMEOUT });
    await page.locator(".lm-Menu-item[data-command='filebrowser:delete']").click({ timeout: RETRY_TIMEOUT });
    await dialog.waitFor({ timeout: RETRY_TIMEOUT });
  }, { tries: 3, reset: () => page.keyboard.press("Escape") });
  results.delete_dialog = (await dialog.innerText()).replace(/\s+/g, " ");
  await step("confirm, and the folder is gone from the server and the file browser", async () => {
    await dialog.locator(".jp-mod-accept").click();
    const deadline = Date.now() + TIMEOUT;
    for (;;) {
      // JupyterLab reports a failed delete ("Directory not empty") in an error dialog.
      if (await dialog.isVisible()) throw new Error(`a dialog came up: ${(await dialog.innerText()).replace(/\s+/g, " ")}`);
      if ((await api(context, "GET", "api/contents/doomed")).status === 404 && (await item("doomed").count()) === 0) break;
      if (Date.now() > deadline) throw new Error("doomed is still there");
      await page.waitForTimeout(250);
    }
  });
  const tab = await step("right-click page.html and choose Open in New Browser Tab", async () => {
    await item("page.html").click({ button: "right" });
    const opened = context.waitForEvent("page", { timeout: TIMEOUT });
    await page.locator(".lm-Menu-item[data-command='filebrowser:open-browser-tab']").click();
    const opening = await opened;
    await opening.waitForLoadState("load", { timeout: TIMEOUT });
    return opening;
  });
  await step("the new tab shows the HTML file", async () => {
    const deadline = Date.now() + TIMEOUT;
    for (;;) {
      const text = await tab.locator("body").innerText().catch(() => "");
      if (text.includes(process.env.HTML_MARKER || "")) break;
      if (Date.now() > deadline) throw new Error(`the tab at ${tab.url()} shows ${JSON.stringify(text.slice(0, 300))}`);
      await tab.waitForTimeout(250);
    }
    results.tab_url = tab.url().replace(/_xsrf=[^&]*/, "_xsrf=[secret]").replace(BASE, "/");
  });
  await page.bringToFront();
  // JupyterLab adds a cache-busting query to the URL.
  page.on("response", (r) => { if (new URL(r.url()).pathname.endsWith("/api/shutdown")) results.shutdown_status = r.status(); });
  await step("choose File > Shut Down", async () => {
    await page.locator(".lm-MenuBar-item", { hasText: /^File$/ }).click({ timeout: RETRY_TIMEOUT });
    await page.locator(".lm-Menu-item[data-command='filemenu:shutdown']").click({ timeout: RETRY_TIMEOUT });
  }, { tries: 3, reset: () => page.keyboard.press("Escape") });
  await step("confirm if asked, and JupyterLab says the server is shut down", async () => {
    const stopped = page.getByText("You have shut down the Jupyter server");
    const confirm = dialog.locator(".jp-mod-accept");
    const deadline = Date.now() + TIMEOUT;
    while (!(await stopped.isVisible())) {
      if (await confirm.isVisible()) await confirm.click();
      if (Date.now() > deadline) throw new Error("JupyterLab never said the server was shut down");
      await page.waitForTimeout(250);
    }
  });
}

async function waitForText(locator, want, timeout) {
  const deadline = Date.now() + timeout;
  let got = "";
  while (Date.now() < deadline) {
    got = await locator.innerText();
    if (got.includes(want)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${JSON.stringify(want)}, the page shows ${JSON.stringify(got)}`);
}

async function waitFor(predicate, message, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function notebook(context, page) {
  await step("open the Notebook 7 tree with the token", async () => {
    await page.goto(`${BASE}tree?token=${TOKEN}`, { timeout: TIMEOUT });
    await page.locator(".jp-DirListing").waitFor({ timeout: TIMEOUT });
  });
  const newNotebook = page.locator(".lm-Menu-item[data-command='notebook:create-new']");
  await step("open the New menu", async () => {
    await page.getByText("New", { exact: true }).click();
    await newNotebook.waitFor({ timeout: RETRY_TIMEOUT });
  }, { tries: 3, reset: () => page.keyboard.press("Escape") });
  // Notebook 7 opens a new notebook in a new browser tab.
  const nb = await step("create a Python notebook from the New menu", async () => {
    const opened = context.waitForEvent("page", { timeout: TIMEOUT });
    await newNotebook.click();
    const tab = await opened;
    await tab.locator(".jp-NotebookPanel").first().waitFor({ timeout: TIMEOUT });
    return tab;
  });
  results.notebook_url = nb.url();
  results.notebook = decodeURIComponent(new URL(nb.url()).pathname.split("/notebooks/")[1] || "");
  await step("wait for the kernel to be idle", () => waitKernelIdle(nb));
  await runFirstCell(nb, "print(6*7)", "42");
  await save(context, nb, results.notebook, "42");
  const input = nb.locator(".jp-Dialog input");
  await step("open the rename dialog from the notebook's title", async () => {
    await nb.locator("#jp-title h1").click();
    await input.waitFor({ timeout: RETRY_TIMEOUT });
  }, { tries: 3, reset: () => nb.keyboard.press("Escape") });
  await step("rename the notebook", async () => {
    await input.fill(RENAMED);
    await nb.locator(".jp-Dialog .jp-mod-accept").click();
    await nb.locator("#jp-title h1", { hasText: RENAMED.replace(/\.ipynb$/, "") }).waitFor({ timeout: TIMEOUT });
  });
  await step("find the renamed notebook on the server, with its output", () => waitForFile(
    context, `api/contents/${RENAMED}?content=1`, (m) => notebookOutputs(m).includes("42")));
  results.renamed = RENAMED;
}

async function main() {
  const scenario = process.argv[2];
  // hub.js (a person at a real JupyterHub) is handed the helpers it shares with the others.
  const hub = require("./hub.js")({ step, api, newNotebookFromLauncher, waitKernelIdle, runFirstCell, save, results, TIMEOUT });
  const scenarios = { lab, notebook, "lab-files": labFiles, hub };
  // restart.js: JupyterLab reconnecting by itself to its kernel across a kill -9 of the server.
  scenarios["lab-restart"] = require("./restart.js")({ step, newNotebookFromLauncher, waitKernelIdle, results, TIMEOUT });
  scenarios["lab-unattended"] = require("./unattended.js")({ step, api, openLab, newNotebookFromLauncher, waitKernelIdle,
    runFirstCell, waitForFile, notebookOutputs, results, TIMEOUT, RETRY_TIMEOUT, BASE, TOKEN });
  if (!scenarios[scenario] || !BASE || !TOKEN) {
    throw new Error(`usage: JUPYTER_URL=... JUPYTER_TOKEN=... node driver.js <${Object.keys(scenarios).join("|")}>`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "jupyter-browser-profile-"));
  let context;
  const screenshots = [];
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: FLAGS,
      viewport: { width: 1400, height: 900 }, timeout: TIMEOUT,
    });
    context.setDefaultTimeout(TIMEOUT);
    const page = context.pages()[0] || (await context.newPage());
    context.on("page", (p) => watchKernels(p));
    context.on("response", (r) => {
      if (r.status() >= 400) httpErrors.push(`${r.status()} ${r.request().method()} ${r.url().replace(BASE, "/").replace(/token=[^&]*/, "token=[secret]")}`);
    });
    watchKernels(page);
    page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text().slice(0, 300)); });
    const keepPages = async (suffix) => {
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      for (const [i, p] of context.pages().entries()) {
        const file = path.join(ARTIFACTS, `${scenario}-page${i}-${suffix}.png`);
        try {
          await p.screenshot({ path: file, timeout: 10000 });
          screenshots.push(file);
          fs.writeFileSync(file.replace(/\.png$/, ".html"), await p.content());
        } catch (_) { /* a closed page */ }
      }
    };
    try {
      await scenarios[scenario](context, page);
    } catch (error) {
      await keepPages("failure");
      throw error;
    }
    if (process.env.SCREENSHOTS === "always") await keepPages("done");
    console.log(JSON.stringify({ ok: true, scenario, steps, results, http_errors: httpErrors, console_errors: consoleErrors }));
  } catch (error) {
    console.log(JSON.stringify({
      ok: false, scenario, failed_step: error.step || "(outside a step: launching chromium or the driver itself)", error: String(error.stack || error),
      steps, results, screenshots, http_errors: httpErrors, console_errors: consoleErrors, kernel_frames: kernelFrames,
    }));
    process.exitCode = 1;
  } finally {
    if (context) await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main();
