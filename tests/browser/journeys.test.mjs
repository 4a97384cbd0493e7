// The liaison office's main journey in headless Chromium, on a phone-sized screen:
// sign in, open the tree, filter the delegates, open one, see composition and coverage.
// Needs LIANXIN_URL (a server started with `lianxin demo`) and Debian's chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, browser, fitsPhone } from './lib.mjs';
import { mkdirSync } from 'node:fs';

const SHOTS = process.env.LIANXIN_SHOTS || '/tmp/lianxin-shots';
mkdirSync(SHOTS, { recursive: true });

test('the liaison office finds a delegate and reads composition and coverage', async () => {
  const b = await browser();
  try {
    const ctx = await b.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
    const page = await ctx.newPage();
    await page.goto(`${BASE}/login`);
    await page.fill('input[name=username]', 'office');
    await page.fill('input[name=password]', 'lianxin2026');
    await page.click('form.edit button[type=submit]');
    await page.waitForURL(`${BASE}/`);
    assert.match(await page.textContent('h1'), /首页/);
    await fitsPhone(page);

    // the tree
    await page.click('nav.nav >> text=组织');
    await page.waitForURL(/\/orgs\/\d+$/);
    assert.equal((await page.textContent('h1')).trim(), '中共郴江镇委员会');
    assert.ok(await page.isVisible('text=下楣桥村党支部'));
    await page.screenshot({ path: `${SHOTS}/tree-360.png`, fullPage: true });
    await fitsPhone(page);

    // the congress, then its delegates filtered to women farmers
    await page.goto(`${BASE}/bodies`);
    await page.click('text=中共郴江镇代表大会');
    await page.waitForURL(/\/bodies\/\d+/);
    await page.click('.actions >> text=代表');
    await page.waitForURL(/\/delegates/);
    await page.selectOption('select[name=category]', 'farmer');
    await page.selectOption('select[name=gender]', 'F');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/category=farmer/);
    const rows = await page.$$eval('table.list tbody tr', trs => trs.map(tr => tr.textContent));
    assert.ok(rows.length > 0, 'some women farmers');
    for (const r of rows) {
      assert.match(r, /农民/);
      assert.match(r, /女/);
    }
    await page.screenshot({ path: `${SHOTS}/delegates-360.png`, fullPage: true });
    await fitsPhone(page);

    // one delegate
    await page.click('table.list tbody tr:first-child td:first-child a');
    await page.waitForURL(/\/delegates\/\d+$/);
    assert.ok(await page.isVisible('dl.facts'));
    assert.match(await page.textContent('dl.facts'), /农民/);
    await fitsPhone(page);

    // composition and coverage of the congress
    await page.click('nav.crumbs a >> nth=0');
    await page.waitForURL(/\/bodies\/\d+\?term=/);
    await page.click('.actions >> text=代表结构');
    await page.waitForURL(/composition/);
    assert.match(await page.textContent('main'), /共有代表\d+名,其中:/);
    await page.screenshot({ path: `${SHOTS}/composition-360.png`, fullPage: true });
    await fitsPhone(page);
    await page.goBack();
    await page.click('.actions >> text=联系覆盖');
    await page.waitForURL(/coverage/);
    assert.match(await page.textContent('main'), /委员联系代表小组/);
    assert.match(await page.textContent('main'), /联系党员不足的代表/);
    await page.screenshot({ path: `${SHOTS}/coverage-360.png`, fullPage: true });

    // English
    await page.click('text=English');
    await page.waitForURL(/coverage/);
    assert.match(await page.textContent('main'), /Committee members linked to a group/);
  } finally {
    await b.close();
  }
});

test('a delegate cannot open the roster of people', async () => {
  const b = await browser();
  try {
    const page = await (await b.newContext({ viewport: { width: 360, height: 740 } })).newPage();
    await page.goto(`${BASE}/login`);
    await page.fill('input[name=username]', 'delegate');
    await page.fill('input[name=password]', 'lianxin2026');
    await page.click('form.edit button[type=submit]');
    await page.waitForURL(`${BASE}/`);
    const resp = await page.goto(`${BASE}/people`);
    assert.equal(resp.status(), 403);
    assert.match(await page.textContent('main'), /没有权限/);
  } finally {
    await b.close();
  }
});
