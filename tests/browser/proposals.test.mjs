// The whole life of a proposal in headless Chromium (issue 3): two delegates draft and
// co-sign, the office accepts and assigns, the unit replies, the proposer is unsatisfied,
// the unit handles it again, it closes, and the statistics change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, browser, login as signIn } from './lib.mjs';

const login = (b, user) => signIn(b, user, { width: 390, height: 800 });

// Opens a folded panel by its title and submits its form.
async function submitPanel(page, title, fill = async () => {}) {
  const panel = page.locator('section.panel', { has: page.locator(`summary:text-is("${title}"), h2:text-is("${title}")`) }).first();
  const summary = panel.locator('summary');
  if (await summary.count()) await summary.click();
  await fill(panel);
  page.once('dialog', d => d.accept());
  await Promise.all([page.waitForLoadState('load'), panel.locator('button[type=submit]').click()]);
}

async function reportSentence(page, bodyId) {
  await page.goto(`${BASE}/bodies/${bodyId}/proposals/stats`);
  return (await page.textContent('main .note')).trim();
}

test('draft, co-sign, accept, assign, reply, unsatisfied, handle again, close', async () => {
  const b = await browser();
  try {
    const office = await login(b, 'office');
    await office.goto(`${BASE}/proposals`);
    await office.waitForURL(/\/bodies\/\d+\/proposals/);
    const bodyId = office.url().match(/bodies\/(\d+)/)[1];
    const before = await reportSentence(office, bodyId);

    // the office opens the session, so proposals are taken (R-J5)
    await office.goto(`${BASE}/bodies/${bodyId}`);
    await submitPanel(office, '设置', async p => { await p.locator('select[name=session_open]').selectOption('1'); });

    const second = await login(b, 'delegate2');
    const secondName = (await second.textContent('.who .name')).split('(')[0].trim();

    const proposer = await login(b, 'delegate');
    await proposer.goto(`${BASE}/bodies/${bodyId}/proposals/new`);
    await proposer.fill('input[name=title]', '修缮下楣桥李家组水渠(浏览器测试)');
    await proposer.selectOption('select[name=category]', 'infrastructure');
    await proposer.fill('textarea[name=reason]', '水渠年久失修,灌溉受影响');
    await proposer.fill('textarea[name=grounds]', '李家组三十户反映');
    await proposer.fill('textarea[name=solution]', '申请专项资金修缮');
    await proposer.click('form.edit button[type=submit]');
    await proposer.waitForURL(/\/proposals\/\d+$/);
    const url = proposer.url();
    await submitPanel(proposer, '邀请联名', async p => { await p.locator('input[name=delegate_id]').fill(secondName); });

    await second.goto(url);
    await submitPanel(second, '同意联名');
    assert.match(await second.textContent('dl.facts'), /已确认.*已确认/s);

    await proposer.goto(url);
    await submitPanel(proposer, '提交');
    assert.match(await proposer.textContent('dl.facts'), /待审查/);

    await office.goto(url);
    await submitPanel(office, '立案');
    await submitPanel(office, '交办', async p => { await p.locator('select[name=lead_unit]').selectOption({ label: '镇党政综合办公室' }); });
    assert.match(await office.textContent('dl.facts'), /已交办/);

    const unit = await login(b, 'unit');
    await unit.goto(`${BASE}/proposals`);
    await unit.waitForURL(/\/proposals/);
    assert.ok(await unit.isVisible('text=修缮下楣桥李家组水渠(浏览器测试)'), 'in the unit inbox');
    await unit.goto(url);
    await submitPanel(unit, '签收');
    await submitPanel(unit, '答复', async p => { await p.locator('textarea[name=text]').fill('已列入今年计划,近期开工'); });

    await proposer.goto(url);
    await submitPanel(proposer, '评价', async p => {
      await p.locator('select[name=satisfaction]').selectOption('unsatisfied');
      await p.locator('textarea[name=text]').fill('至今未开工');
    });
    assert.match(await proposer.textContent('dl.facts'), /再次办理/);

    await unit.goto(url);
    await submitPanel(unit, '答复', async p => { await p.locator('textarea[name=text]').fill('已再次办理,水渠已修好'); });
    await proposer.goto(url);
    await submitPanel(proposer, '评价', async p => { await p.locator('select[name=satisfaction]').selectOption('satisfied'); });
    assert.match(await proposer.textContent('dl.facts'), /已办结/);

    const after = await reportSentence(office, bodyId);
    assert.notEqual(after, before, 'the handling report changed');
    const n = s => s.match(/\d+/g).map(Number);
    assert.equal(n(after)[0], n(before)[0] + 1, `${before} → ${after}`);
    assert.equal(n(after)[1], n(before)[1] + 1);
  } finally {
    await b.close();
  }
});
