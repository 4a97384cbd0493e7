// What every journey shares: the server's address, Debian's headless Chromium, signing in,
// and the phone-width check.
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const BASE = process.env.LIANXIN_URL || 'http://127.0.0.1:18080';

export async function browser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

// A fresh context of the given size (a phone unless told), signed in as `user`, in Chinese
// (another journey may have left the user in English).
export async function login(b, user, viewport = { width: 360, height: 740 }) {
  const ctx = await b.newContext({ viewport, locale: 'zh-CN' });
  const page = await ctx.newPage();
  await page.goto(`${BASE}/login`);
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', 'lianxin2026');
  await page.click('form.edit button[type=submit]');
  await page.waitForURL(`${BASE}/`);
  await page.goto(`${BASE}/lang/zh-CN?back=/`);
  return page;
}

// The page must fit a 360-px phone: nothing wider than the screen but scrolling tables.
export async function fitsPhone(page) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= 362, `page is ${w}px wide on a 360px screen`);
}
