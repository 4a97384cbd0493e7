// A meeting in headless Chromium (issue 5): the office plans it and puts the hall screen up;
// two delegates check in on phones with the door's code and the screen counts them live; the
// office opens a secret three-item vote; one delegate votes at 360 px with a confirm step and
// keeps a receipt; the other's connection drops after the ballot reached the server, the
// phone tries again and is told the ballot is already in; the screen shows the progress; after
// the close the result is shown and the receipt finds the ballot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, browser, login as signIn } from './lib.mjs';

// the office's pages ask before some steps: say yes
async function login(b, user, viewport) {
  const page = await signIn(b, user, viewport);
  page.on('dialog', (d) => d.accept());
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
    const phone2 = await login(b, 'delegate2', { width: 360, height: 640 });
    for (const p of [phone, phone2]) {
      await p.goto(checkin.replace(/^https?:\/\/[^/]+/, BASE));
      await p.click('form.edit button[type=submit]');
      await p.waitForURL(/\/meetings\/\d+$/);
    }
    // the screen counts the delegates in without a reload (server-sent events)
    await screen.waitForFunction((n) => Number(document.getElementById('present').textContent) === n + 2, before, { timeout: 15000 });

    await office.goto(meeting);
    await office.click('summary:has-text("增加表决事项")');
    await office.fill('form[action$="/votes"] input[name=title]', '关于年会各项报告的决议');
    await office.fill('form[action$="/votes"] textarea[name=items]', '工作报告\n财务报告\n提案办理情况报告');
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
    // an unmarked item is caught by the form before anything is sent
    await phone.check('input[name=m0][value=yes]');
    await phone.check('input[name=m1][value=no]');
    assert.equal(await phone.evaluate(() => document.querySelector('form.edit').checkValidity()), false);
    await phone.check('input[name=m2][value=abstain]');
    await phone.click('form.edit button[type=submit]');
    await phone.waitForSelector('text=投票成功');
    const receipt = (await phone.locator('b.receipt').textContent()).trim();
    assert.match(receipt, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    await screen.waitForFunction(() => document.getElementById('votes').textContent.includes('已投 1 / '), null, { timeout: 15000 });

    // the second phone's answer is lost on the way back: the ballot is in, the phone tries again
    let dropped = 0;
    await phone2.route('**/api/v1/votes/*/cast', async (route) => {
      if (dropped++ === 0) { await route.fetch(); await route.abort('connectionreset'); } else { await route.continue(); }
    });
    await phone2.goto(vote);
    for (const i of [0, 1, 2]) { await phone2.check(`input[name=m${i}][value=yes]`); }
    await phone2.click('form.edit button[type=submit]');
    await phone2.waitForSelector('text=您的选票已在票箱中,未重复计入', { timeout: 15000 });
    assert.equal(dropped, 2, 'sent twice');
    await screen.waitForFunction(() => document.getElementById('votes').textContent.includes('已投 2 / '), null, { timeout: 15000 });
    await phone.goto(vote);
    await phone.waitForSelector('text=您的选票已投入票箱');

    await office.goto(vote);
    await office.click('text=结束投票并计票');
    await office.waitForSelector('text=表决结果');
    // two ballots, each item counted apart: 工作报告 2 yes; 财务报告 1 yes 1 no; 提案 1 yes 1 abstain
    const rows = await office.locator('table.list tbody tr').allTextContents();
    assert.equal(rows.length, 3);
    assert.match(rows[0], /工作报告\s*2\s*0\s*0/);
    assert.match(rows[1], /财务报告\s*1\s*1\s*0/);
    assert.match(rows[2], /提案办理情况报告\s*1\s*0\s*1/);
    await screen.waitForFunction(() => document.getElementById('votes').textContent.includes('已结束'), null, { timeout: 15000 });
    await phone.goto(`${vote}/ballots?receipt=${encodeURIComponent(receipt)}`);
    await phone.waitForSelector('text=找到您的选票');
    assert.equal(await phone.locator('table.list tbody tr').count(), 2);
  } finally {
    await b.close();
  }
});

// A meeting's work without phones (issue 5): the office adds a report to the agenda and hands
// it out (the delegate is told), a group's opinions are recorded and gathered for the
// presidium, and a paper vote is entered by two tellers — who first disagree by one ballot,
// are shown the difference, agree after a recount, and the vote is counted.
test('agenda handed out, a group deliberates, two tellers enter a paper vote', async () => {
  const b = await browser();
  try {
    const office = await login(b, 'office', { width: 1280, height: 900 });
    await office.goto(`${BASE}/bodies`);
    await office.click('text=中共郴江镇代表大会');
    await office.click('.actions >> text=会议与表决');
    await office.fill('input[name=title]', '浏览器测试纸质票会议');
    await office.click('form.edit button[type=submit]');
    await office.waitForURL(/\/meetings\/\d+$/);
    const meeting = office.url();

    await office.click('summary:has-text("增加议程")');
    await office.fill('form[action$="/agenda"] input[name=title]', '浏览器测试工作报告');
    await office.fill('form[action$="/agenda"] input[name=presenter]', '镇党委');
    await office.click('form[action$="/agenda"] button[type=submit]');
    await office.waitForURL(/\/agenda\/\d+$/);
    await office.click('button:has-text("分发给参会人员")');
    // the item's facts now give the time it was handed out
    await office.waitForFunction(() => [...document.querySelectorAll('dt')].some((t) => t.textContent === '分发' && /\d{4}-\d{2}-\d{2}/.test(t.nextElementSibling.textContent)));
    const phone = await login(b, 'delegate', { width: 360, height: 740 });
    await phone.goto(`${BASE}/notices`);
    await phone.waitForSelector('text=浏览器测试工作报告');

    await office.click('summary:has-text("登记审议意见")');
    await office.fill('input[name=group]', '第一代表小组');
    await office.fill('textarea[name=opinions]', '同意报告\n建议加快灌溉水渠修缮');
    await office.click('form[action$="/deliberation"] button[type=submit]');
    await office.waitForSelector('td:has-text("建议加快灌溉水渠修缮")');
    await office.goto(`${meeting}/deliberations`);
    await office.waitForSelector('text=建议加快灌溉水渠修缮');

    // a paper vote on two items
    await office.goto(meeting);
    await office.click('summary:has-text("增加表决事项")');
    await office.fill('form[action$="/votes"] input[name=title]', '浏览器测试纸质表决');
    await office.fill('form[action$="/votes"] textarea[name=items]', '工作报告\n财务报告');
    await office.selectOption('form[action$="/votes"] select[name=mode]', 'paper');
    await office.click('form[action$="/votes"] button[type=submit]');
    await office.waitForURL(/\/votes\/\d+$/);
    const vote = office.url();
    await office.click('text=开始投票');
    const enter = async (p, voids, piles) => {
      await p.goto(vote);
      await p.fill('input[name=issued]', '10');
      await p.fill('input[name=returned]', '10');
      await p.fill('input[name=void]', String(voids));
      await p.fill('textarea[name=piles]', piles);
      await p.click('form[action$="/paper"] button[type=submit]');
      await p.waitForURL(vote);
    };
    await enter(office, 1, '赞成 赞成 6\n赞成 反对 3');
    const admin = await login(b, 'admin', { width: 1280, height: 900 });
    // the second teller does not see the first one's figures until both are in
    await admin.goto(vote);
    assert.ok(await admin.locator('text=(另一位计票人录入后显示)').count() > 0);
    await enter(admin, 0, '赞成 赞成 7\n赞成 反对 3');
    await admin.waitForSelector('text=两次录入不一致');
    const diff = await admin.locator('p.note:has-text("两次录入不一致")').textContent();
    assert.match(diff, /废票/);
    // the recount agrees with the first teller
    await enter(admin, 1, '赞成 赞成 6\n赞成 反对 3');
    await admin.waitForSelector('text=两次录入一致,可以计票');
    await office.goto(vote);
    await office.click('button:has-text("按一致的录入计票")');
    await office.waitForSelector('text=表决结果');
    const rows = await office.locator('table.list tbody tr').allTextContents();
    assert.match(rows.find((r) => r.includes('工作报告')), /工作报告\s*9\s*0\s*0/);
    assert.match(rows.find((r) => r.includes('财务报告')), /财务报告\s*6\s*3\s*0/);
  } finally {
    await b.close();
  }
});
