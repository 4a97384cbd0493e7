// An election in headless Chromium (issue 6). First a new 差额 election from the office's
// desk: defined, two nominees recorded and qualified, their list published, and the public
// notice page shows it to anyone. Then the demo's election whose notice has ended (two seats,
// three candidates, at the planned plenary): the tellers paste a paper tally that ties two
// candidates for the last seat (R-F2); the tied alone are voted on again on two phones at
// 360 px; the count elects one; the result is announced, the sheet printed, and the committee
// on the congress's page has both new members.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, browser, fitsPhone, login as signIn } from './lib.mjs';

// the office's pages ask before some steps: say yes
async function login(b, user, viewport) {
  const page = await signIn(b, user, viewport);
  page.on('dialog', (d) => d.accept());
  return page;
}

test('an election: defined and published; a paper tie, a phone revote, announced into the committee', async () => {
  const b = await browser();
  try {
    const office = await login(b, 'office', { width: 1280, height: 900 });
    await office.goto(`${BASE}/bodies`);
    await office.click('text=中共郴江镇代表大会');
    const bodyUrl = office.url();
    await office.click('.actions >> text=选举');
    const list = office.url();

    // a new election: one committee seat, so at least two candidates (R-H2, R-H5)
    await office.fill('input[name=title]', '浏览器测试补选');
    await office.fill('input[name=post0_seats]', '');
    await office.fill('input[name=post2_seats]', '1');
    await office.click('form.edit button[type=submit]');
    await office.waitForURL(/\/elections\/\d+$/);
    await office.click('text=开始提名');
    await office.waitForSelector('text=登记提名');
    for (const name of ['测试候选甲', '测试候选乙']) {
      await office.fill('form[action$="/nominations"] input[name=name]', name);
      await office.selectOption('form[action$="/nominations"] select[name=source]', 'members');
      await office.fill('form[action$="/nominations"] input[name=support]', '12');
      await office.click('form[action$="/nominations"] button[type=submit]');
      await office.waitForSelector(`td:has-text("${name}")`);
    }
    for (let left = 1; left >= 0; left--) {
      await office.click('button:has-text("审查通过")');
      await office.waitForFunction((k) => [...document.querySelectorAll('button')].filter((x) => x.textContent.includes('审查通过')).length === k, left);
    }
    await office.click('form[action$="/publish"] button[type=submit]');
    await office.waitForSelector('text=候选人名单(按选票顺序)');
    const newElection = office.url();
    const anon = await (await b.newContext({ viewport: { width: 360, height: 740 } })).newPage();
    await anon.goto(newElection.replace('/elections/', '/public/elections/'));
    await anon.waitForSelector('text=测试候选乙');
    await fitsPhone(anon);

    // the demo's election, its notice over: the vote is the next step
    await office.goto(list);
    await office.click('text=增补两名镇党委委员');
    await office.waitForURL(/\/elections\/\d+$/);
    const election = office.url();
    const names = (await office.locator('section:has(h2:text("候选人名单(按选票顺序)")) tbody tr td:nth-child(3)').allTextContents()).map((s) => s.trim());
    assert.equal(names.length, 3);
    const [a, bb, c] = names;
    // on paper: 45 of 50 present (R-B1); A 30, B 25, C 25 all over 22.5, two seats: B and C tie (R-F2)
    await office.selectOption('select[name=mode]', 'paper');
    await office.click('button:has-text("开始这一轮")');
    await office.waitForSelector('text=录入纸质选票计票结果');
    await office.fill('input[name=eligible_voters]', '50');
    await office.fill('input[name=voters_present]', '45');
    await office.fill('textarea[name=tally]', `张数,${a},${bb},${c},另选,废票\n10,赞成,赞成,,,\n10,赞成,,赞成,,\n15,,赞成,赞成,,\n10,赞成,,,,\n`);
    await office.click('form[action$="/paper"] button[type=submit]');
    await office.waitForSelector('text=票数相等再投票');
    const rounds = await office.locator('section:has(h2:text("投票轮次")) tbody tr').allTextContents();
    assert.match(rounds[0], /R-F2/);

    // the revote on phones: the office checks the hall in, the two delegates vote
    await office.click('button:has-text("开始这一轮")');
    await office.waitForSelector('text=手机投票进行中');
    const vote = await office.locator('section:has(h2:text("投票轮次")) a[href^="/votes/"]').last().getAttribute('href');
    await office.goto(`${BASE}${vote}`);
    const meeting = await office.locator('nav a[href^="/meetings/"], .crumbs a[href^="/meetings/"]').first().getAttribute('href');
    await office.goto(`${BASE}${meeting}`);
    const checkedIn = await office.evaluate(async () => {
      const csrf = document.querySelector('input[name=_csrf]').value;
      const forms = [...document.querySelectorAll('form[action*="/attendance/"]')].map((f) => f.getAttribute('action'));
      for (const url of forms) {
        await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `_csrf=${encodeURIComponent(csrf)}` });
      }
      return forms.length;
    });
    assert.ok(checkedIn > 10, `${checkedIn} checked in`);
    for (const [user, marks] of [['delegate', ['yes', 'no']], ['delegate2', ['yes', 'abstain']]]) {
      const phone = await login(b, user, { width: 360, height: 740 });
      await phone.goto(`${BASE}${vote}`);
      await phone.waitForSelector('text=另选他人');
      await fitsPhone(phone);
      await phone.check(`input[name=m0][value=${marks[0]}]`);
      await phone.check(`input[name=m1][value=${marks[1]}]`);
      await phone.click('form.edit button[type=submit]');
      await phone.waitForSelector('text=投票成功');
    }
    await office.goto(election);
    await office.click('button:has-text("结束投票并计票")');
    await office.waitForSelector('text=公布选举结果');
    await office.click('button:has-text("公布结果并写入名单")');
    await office.waitForURL(/\/sheet$/);
    const sheet = await office.locator('section:has(h2:text("当选名单")) tbody').textContent();
    assert.ok(sheet.includes(a) && sheet.includes(bb) && !sheet.includes(c), sheet);
    await office.goto(bodyUrl);
    const committee = await office.locator('section:has(h2:text-is("委员")) tbody').textContent();
    assert.ok(committee.includes(a) && committee.includes(bb), committee);
  } finally {
    await b.close();
  }
});
