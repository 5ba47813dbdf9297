// The "hub" scenario of driver.js: a person at a real JupyterHub, whose single-user server is
// ours. Invoked by tests-integration/test_jupyterhub.py as `node driver.js hub`, with
// JUPYTER_URL the user's server behind the Hub's proxy (<hub>/user/<name>/) and JUPYTER_TOKEN
// a Hub API token that may reach it (the driver's own REST checks use it; the page never does).
//
// Open the Hub, log in on its login page (the DummyAuthenticator takes any password), wait
// while the Hub spawns the server and JupyterLab opens at <hub>/user/<name>/lab, create a
// notebook, run print(6*7) and see 42, save, then stop the server with "Stop My Server" on
// the Hub's control panel (/hub/home).
// Results: notebook, output, lab_url, server_api (the single-user server's /api answer and
// its X-JupyterHub-Version header), stopped.
"use strict";

module.exports = ({ step, api, newNotebookFromLauncher, waitKernelIdle, runFirstCell, save, results, TIMEOUT }) => {
  async function hub(context, page) {
    const server = process.env.JUPYTER_URL;
    const match = /^(https?:\/\/[^/]+\/(?:.*\/)?)user\/([^/]+)\/$/.exec(server);
    if (!match) throw new Error(`JUPYTER_URL ${server} is not <hub>/user/<name>/`);
    const [, hubRoot, user] = match;
    const name = decodeURIComponent(user);

    await step("open the Hub and be sent to its login page", async () => {
      await page.goto(hubRoot, { timeout: TIMEOUT });
      await page.locator("#username_input").waitFor({ timeout: TIMEOUT });
      if (!new URL(page.url()).pathname.endsWith("/hub/login")) throw new Error(`landed on ${page.url()}`);
    });
    await step("log in with the Hub's login form", async () => {
      await page.locator("#username_input").fill(name);
      await page.locator("#password_input").fill("any password will do");
      await page.locator("#login_submit").click();
      await page.waitForURL((url) => !url.pathname.endsWith("/hub/login"), { timeout: TIMEOUT });
    });
    // The Hub spawns the server (its spawn-pending page shows progress) and sends the browser
    // to it; after the OAuth round trip the server's default URL, /lab, opens.
    await step("wait for the Hub to spawn the server and JupyterLab to open", async () => {
      await page.locator(".jp-Launcher").waitFor({ timeout: 2 * TIMEOUT });
      results.lab_url = page.url();
      if (!results.lab_url.startsWith(`${server}lab`)) throw new Error(`JupyterLab opened at ${results.lab_url}`);
    });
    await newNotebookFromLauncher(page);
    await step("wait for the kernel to be idle", () => waitKernelIdle(page));
    await runFirstCell(page, "print(6*7)", "42");
    await save(context, page, results.notebook, "42");
    await step("ask the single-user server for /api through the proxy", async () => {
      const { status, body } = await api(context, "GET", "api");
      const response = await context.request.fetch(`${server}api`, { failOnStatusCode: false });
      results.server_api = { status, body, hub_version_header: response.headers()["x-jupyterhub-version"] || null };
      if (status !== 200) throw new Error(`GET ${server}api answered ${status}: ${JSON.stringify(body)}`);
    });

    const stop = page.locator("#stop");
    const start = page.locator("#start");
    // The button is in the page's HTML, but what it does comes later: home.js, loaded by
    // RequireJS once the page is parsed (often after the "load" event), binds its click
    // handler only when its own modules have arrived. A click before that does nothing at
    // all, which on a busy machine left the server running and this test waiting. So the
    // step ends when jQuery holds a click handler for #stop, not when the button shows.
    // To keep that wait honest, one of those modules (jhapi.js) is served two seconds late
    // whenever it is asked for after the "load" event, as a busy machine would serve it:
    // a click sent as soon as the button shows then always comes first, and fails.
    let late = false; // true from the control panel's "load" event until the click
    await page.route("**/hub/static/js/jhapi.js*", async (route) => {
      if (late) await new Promise((resolve) => setTimeout(resolve, 2000));
      await route.continue();
    });
    await step("open the Hub's control panel", async () => {
      page.once("load", () => { late = true; });
      await page.goto(`${hubRoot}hub/home`, { timeout: TIMEOUT });
      await stop.waitFor({ timeout: TIMEOUT });
      await page.waitForFunction(() => {
        const button = document.getElementById("stop");
        const events = button && window.jQuery && window.jQuery._data(button, "events");
        return Boolean(events && events.click && events.click.length);
      }, null, { timeout: TIMEOUT });
    });
    await step("stop the server with Stop My Server", async () => {
      await stop.click();
      late = false;
      await stop.waitFor({ state: "hidden", timeout: TIMEOUT });
      await start.filter({ hasText: "Start My Server" }).waitFor({ timeout: TIMEOUT });
    });
    // The Hub may still be stopping when its API answers: reload until the page agrees.
    await step("the control panel, reloaded, offers only Start My Server", async () => {
      const deadline = Date.now() + TIMEOUT;
      for (;;) {
        await page.reload({ timeout: TIMEOUT });
        await start.waitFor({ timeout: TIMEOUT });
        if (!(await stop.count()) && /Start My Server/.test(await start.innerText())) return;
        if (Date.now() > deadline) throw new Error("the reloaded control panel still offers Stop My Server");
        await page.waitForTimeout(500);
      }
    });
    results.stopped = true;
  }
  return hub;
};
