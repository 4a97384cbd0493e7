// A meeting in headless Chromium (issue 5): the office plans it and puts the hall screen up;
// a delegate checks in on a phone with the door's code and the screen counts them live; the
// office opens a secret vote; the delegate votes at 360 px with a confirm step and keeps a
// receipt; a second try adds nothing; after the close the receipt finds the ballot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const BASE = process.env.LIANXIN_URL || 'http://127.0.0.1:18080';

async function browser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

async function login(b, user, viewport) {
  const ctx = await b.newContext({ viewport, locale: 'zh-CN' });
  const page = await ctx.newPage();
  page.on('dialog', (d) => d.accept());
  await page.goto(`${BASE}/login`);
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', 'lianxin2026');
  await page.click('form.edit button[type=submit]');
  await page.waitForURL(`${BASE}/`);
  await page.goto(`${BASE}/lang/zh-CN?back=/`);
  return page;
}

test('a delegate checks in and votes on a phone; the hall screen follows', async () => {
  const b = await browser();
  try {
    const office = await login(b, 'office', { width: 1280, height: 900 });
    await office.goto(`${BASE}/bodies`);
    await office.click('text=中共郴江镇代表大会');
    await office.click('.actions >> text=会议与表决');
    await office.fill('input[name=title]', '浏览器测试年会');
    await office.click('form.edit button[type=submit]');
    await office.waitForURL(/\/meetings\/\d+$/);
    const meeting = office.url();
    // the door's sheet carries the check-in address under its QR code
    await office.click('.actions >> text=打印签到二维码');
    const checkin = (await office.locator('p.url').textContent()).trim();
    assert.match(checkin, /\/checkin\?t=/);
    const screen = await (await office.context()).newPage();
    await screen.goto(`${meeting}/screen`);
    const before = Number(await screen.locator('#present').textContent());

    const phone = await login(b, 'delegate', { width: 360, height: 740 });
    await phone.goto(checkin.replace(/^https?:\/\/[^/]+/, BASE));
    await phone.click('form.edit button[type=submit]');
    await phone.waitForURL(/\/meetings\/\d+$/);
    // the screen counts the delegate in without a reload (server-sent events)
    await screen.waitForFunction((n) => Number(document.getElementById('present').textContent) === n + 1, before, { timeout: 15000 });

    await office.goto(meeting);
    await office.click('summary:has-text("增加表决事项")');
    await office.fill('form[action$="/votes"] input[name=title]', '关于年度工作报告的决议');
    await office.click('form[action$="/votes"] button[type=submit]');
    await office.waitForURL(/\/votes\/\d+$/);
    const vote = office.url();
    await office.click('text=开始投票');

    await phone.goto(vote);
    const w = await phone.evaluate(() => document.documentElement.scrollWidth);
    const wide = await phone.evaluate(() => [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > 362).slice(0, 5)
      .map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`).join(', '));
    assert.ok(w <= 362, `the ballot is ${w}px wide on a 360px screen: ${wide}`);
    await phone.check('input[type=radio][value=yes]');
    await phone.click('form.edit button[type=submit]');
    await phone.waitForSelector('text=投票成功');
    const receipt = (await phone.locator('dd').first().textContent()).trim();
    assert.match(receipt, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    await phone.goto(vote);
    await phone.waitForSelector('text=您的选票已投入票箱');

    await office.goto(vote);
    await office.click('text=结束投票并计票');
    await office.waitForSelector('text=表决结果');
    await phone.goto(`${vote}/ballots?receipt=${encodeURIComponent(receipt)}`);
    await phone.waitForSelector('text=找到您的选票');
  } finally {
    await b.close();
  }
});
