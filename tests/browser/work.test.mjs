// Delegates at work between meetings in headless Chromium (issue 4): a delegate records an
// activity on a phone and their duty standing changes; a resident leaves a request on the
// delegate's public page (the contact card's QR target), gets a code; the office assigns
// it, the unit replies, the resident reads the reply by code and rates it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, browser, fitsPhone, login } from './lib.mjs';

async function phone(b) {
  const ctx = await b.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN' });
  return ctx.newPage();
}

// "done/needed" of the rule row that mentions `what` on a duty file.
async function done(page, what) {
  const cells = await page.locator('tr', { hasText: what }).first().locator('td').allTextContents();
  return Number(cells[2].split('/')[0]);
}

test('a delegate records an activity on a phone and the duty file counts it', async () => {
  const b = await browser();
  try {
    const page = await login(b, 'delegate');
    await page.goto(`${BASE}/bodies`);
    await page.click('text=中共郴江镇代表大会');
    await page.click('.actions >> text=履职活动');
    await page.waitForURL(/\/activities/);
    await page.click('.actions >> text=记录活动');
    await page.waitForURL(/\/activities\/new$/);
    await fitsPhone(page);
    // the duty file before
    const form = page.url();
    await page.goto(`${BASE}/me`);
    const fileUrl = new URL(await page.locator('a', { hasText: '履职档案' }).first().getAttribute('href'), BASE).href;
    await page.goto(fileUrl);
    const before = await done(page, '推荐后备干部');
    await page.goto(form);
    await page.selectOption('select[name=kind]', 'reserve_cadre');
    await page.fill('input[name=summary]', '向镇党委推荐李家组后备干部');
    await page.fill('input[name=place]', '下楣桥村');
    await Promise.all([page.waitForURL(/\/activities\?term=/), page.click('form.edit button[type=submit]')]);
    assert.ok(await page.isVisible('text=向镇党委推荐李家组后备干部'));
    await fitsPhone(page);
    await page.goto(fileUrl);
    assert.equal(await done(page, '推荐后备干部'), before + 1, 'the rule counts it');
    assert.ok(await page.isVisible('text=已完成'));
  } finally {
    await b.close();
  }
});

test('a resident leaves a request by the public page; office, unit and resident see it through', async () => {
  const b = await browser();
  try {
    // the office finds a delegate's public page (what the contact card's QR code opens)
    const office = await login(b, 'office');
    await office.goto(`${BASE}/bodies`);
    await office.click('text=中共郴江镇代表大会');
    await office.click('.actions >> text=代表');
    await office.click('table.list tbody tr >> nth=0 >> a');
    await office.waitForURL(/\/delegates\/\d+$/);
    const publicUrl = new URL(await office.locator('.actions a', { hasText: '公开主页' }).getAttribute('href'), BASE).href;

    // a resident, no account, on a phone
    const resident = await phone(b);
    await resident.goto(publicUrl);
    await fitsPhone(resident);
    await resident.selectOption('select[name=category]', 'infrastructure');
    await resident.fill('textarea[name=text]', '李家组路灯坏了一个月,晚上出行不便');
    await resident.fill('input[name=place]', '下楣桥村李家组');
    await Promise.all([resident.waitForURL(/\/public\/requests\?code=/), resident.click('form.edit button[type=submit]')]);
    const code = new URL(resident.url()).searchParams.get('code');
    assert.match(code, /^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    assert.ok(await resident.isVisible('text=已受理'));

    // the unit's organisation, as its user's home page names it
    const unit = await login(b, 'unit');
    const unitOrg = (await unit.locator('dl.facts dd').first().textContent()).trim();

    // the office assigns it to that unit
    await office.goto(`${BASE}/bodies`);
    await office.click('text=中共郴江镇代表大会');
    await office.click('.actions >> text=群众诉求');
    await office.click(`text=${code}`);
    await office.waitForURL(/\/requests\/\d+$/);
    const requestUrl = office.url();
    await office.selectOption('select[name=to]', { label: unitOrg });
    await Promise.all([office.waitForLoadState('load'), office.locator('section.panel', { hasText: '交办' }).locator('button[type=submit]').first().click()]);
    assert.ok(await office.isVisible('text=办理中'));

    // the unit replies
    await unit.goto(requestUrl);
    await unit.fill('section.panel:has(h2:text-is("答复")) textarea[name=text]', '已更换路灯,恢复照明');
    await Promise.all([unit.waitForLoadState('load'), unit.locator('section.panel:has(h2:text-is("答复")) button[type=submit]').click()]);
    assert.ok(await unit.isVisible('text=已答复'));

    // the resident reads the reply by code and rates it
    await resident.goto(`${BASE}/public/requests`);
    await resident.fill('input[name=code]', code.toLowerCase());
    await Promise.all([resident.waitForLoadState('load'), resident.click('form.filters button[type=submit]')]);
    assert.ok(await resident.isVisible('text=已更换路灯,恢复照明'));
    await resident.selectOption('select[name=feedback]', 'satisfied');
    await Promise.all([resident.waitForLoadState('load'), resident.click('form.edit button[type=submit]')]);
    assert.ok(await resident.isVisible('text=已办结'));
    await fitsPhone(resident);
  } finally {
    await b.close();
  }
});
