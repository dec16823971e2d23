// Browser tests of the staff workspace, in headless Chromium at desktop
// width, against a running Rightsdesk that has no staff account yet:
//   RIGHTSDESK_URL       the app's base URL
//   RIGHTSDESK_MAIL_DIR  where its file transport writes .eml files
//   RIGHTSDESK_LOG       the app's log, where the first admin's setup link is
//   SCREENSHOT_DIR       optional: where to leave screenshots
// .ci/run starts the app and sets these.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { axeViolations } from './axe.mjs';
import { answerQuestions } from './form.mjs';

const base = process.env.RIGHTSDESK_URL;
const mailDir = process.env.RIGHTSDESK_MAIL_DIR;
const logFile = process.env.RIGHTSDESK_LOG;
const shots = process.env.SCREENSHOT_DIR;
if (!base || !mailDir || !logFile) throw new Error('set RIGHTSDESK_URL, RIGHTSDESK_MAIL_DIR and RIGHTSDESK_LOG');
if (shots) mkdirSync(shots, { recursive: true });

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => { await browser?.close(); });

async function shot(page, name) {
  if (shots) await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function waitForEmail(address, subject) {
  for (let i = 0; i < 100; i++) {
    const found = readdirSync(mailDir).filter((f) => f.endsWith('.eml')).sort()
      .map((f) => readFileSync(join(mailDir, f), 'utf8').replace(/=\r?\n/g, ''))
      .find((raw) => raw.includes(`To: ${address}`) && raw.includes(subject));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no email '${subject}' to ${address}`);
}

/** Files and confirms a request as a requester would; returns its reference. */
async function fileRequest(address) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await answerQuestions(page, base);
  await page.getByLabel('Full name').fill('Grace Hopper');
  await page.getByLabel('Email address', { exact: true }).fill(address);
  await page.getByRole('button', { name: 'Send request' }).click();
  const confirmation = await waitForEmail(address, 'Confirm your email');
  const link = confirmation.match(/https?:\/\/[^\s"<]+\/confirm\/[A-Za-z0-9_-]{43}/)[0];
  await page.goto(link);
  await page.getByRole('button', { name: 'Confirm and start my request' }).click();
  const reference = (await page.locator('.reference').innerText()).trim();
  await context.close();
  return reference;
}

test('the first admin sets up, finds a new request in the queue and answers it', async () => {
  const log = readFileSync(logFile, 'utf8');
  const setup = log.match(/https?:\/\/\S+\/staff\/setup\/[A-Za-z0-9_-]{43}/);
  assert.ok(setup, 'the log shows a setup link for the first admin');

  const address = `ada.${Date.now()}@example.com`;
  const reference = await fileRequest(address);

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(setup[0]);
  await page.getByLabel('Your name').fill('Dana Okafor');
  await page.getByLabel('Email address', { exact: true }).fill('dpo@example.org');
  await page.getByLabel('Password', { exact: true }).fill('plum tractor velvet harbour');
  await page.getByLabel('Password again').fill('plum tractor velvet harbour');
  await page.getByRole('button', { name: 'Save and log in' }).click();
  assert.equal(new URL(page.url()).pathname, '/staff');
  assert.match(await page.locator('h1').innerText(), /Case queue/);
  await shot(page, 'staff-queue');

  // Found by part of the requester's name, in any letter case, and
  // assigned from the queue with a tick.
  await page.getByLabel('Name, email or reference').fill('hopp');
  await page.getByRole('button', { name: 'Filter' }).click();
  assert.match(await page.locator('table.queue').innerText(), /Grace Hopper/);
  await page.getByLabel(`Select ${reference}`).check();
  await page.getByLabel('Assign the selected cases to').selectOption({ label: 'Dana Okafor' });
  await page.getByRole('button', { name: 'Assign selected' }).click();
  assert.match(await page.locator('.flash').innerText(), /Assigned 1 case\./);
  assert.equal(await page.getByLabel('Name, email or reference').inputValue(), 'hopp');
  await shot(page, 'staff-queue-assigned');
  // The filtered queue as CSV: the same cases, no names.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Export the cases these filters select as CSV' }).click(),
  ]);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.match(csv, /^reference,regime,state,rights,received_on,due_on,assignee/);
  assert.ok(csv.includes(reference), 'the case found is in the export');
  assert.ok(!csv.includes('Grace Hopper'), 'no names in the export');

  await page.getByRole('link', { name: reference }).click();
  assert.match(await page.locator('h1').innerText(), new RegExp(reference));
  assert.match(await page.locator('.deadline').innerText(), /Due \w+day \d+ \w+ \d{4}/);
  assert.match(await page.locator('.meta').innerText(), /assigned to Dana Okafor/);
  await page.getByLabel('Confirmed email address is enough for this request').check();
  await page.getByRole('button', { name: 'Mark verified' }).click();
  assert.match(await page.locator('h1').innerText(), /In progress/i);

  // A refusal without its ground is refused, and what was typed stays.
  await page.locator('summary', { hasText: 'Refuse the request' }).click();
  await page.getByLabel(/^Reasons/).fill('You have asked for this three times this month.');
  await page.getByRole('button', { name: 'Preview the refusal' }).click();
  const refusal = page.locator('details.action[open]', { hasText: 'Refuse the request' });
  assert.match(await refusal.locator('.error-message').innerText(), /ground/i);
  assert.equal(await page.getByLabel(/^Reasons/).inputValue(), 'You have asked for this three times this month.');
  await shot(page, 'staff-action-kept');

  await page.locator('summary', { hasText: 'Record the outcome' }).click();
  await page.getByLabel('Done in full').check();
  await page.getByRole('button', { name: 'Save outcome' }).click();
  await page.locator('summary', { hasText: 'Send the final answer' }).click();
  await page.getByLabel('Message to the requester', { exact: true }).fill('Your data is in the attached report.');
  await page.getByRole('button', { name: 'Preview the email' }).click();
  assert.match(await page.locator('h1').innerText(), /Check the email before sending/);
  // The email only links to the answer: email is no place for personal data.
  assert.match(await page.locator('.email-body').innerText(), /is on your private page/);
  assert.doesNotMatch(await page.locator('.email-body').innerText(), /attached report/);
  // The answer it links to is shown with it, the message included.
  assert.match(await page.locator('main').innerText(), /And the answer on their private page[\s\S]*Your data is in the attached report\./);
  await shot(page, 'staff-preview');
  await page.getByRole('button', { name: 'Send it and record the action' }).click();
  assert.match(await page.locator('h1').innerText(), /Completed/i);
  await shot(page, 'staff-case');

  // The requester follows the email's link to the answer, with the message.
  const answer = await waitForEmail(address, 'Our answer to your request');
  assert.ok(!answer.includes('Your data is in the attached report.'));
  const links = answer.match(/https?:\/\/[^\s"<]+\/status\/[A-Za-z0-9_-]{43}/g);
  const requester = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const phone = await requester.newPage();
  await phone.goto(links[links.length - 1]);
  const main = await phone.locator('main').innerText();
  assert.match(main, /Our answer/);
  assert.match(main, /Your data is in the attached report\./);
  assert.match(main, /Why we use it \(purposes\)/);
  await shot(phone, 'status-answer');
  await requester.close();

  // Everything is on the case page's timeline.
  await page.reload();
  const timeline = await page.locator('.timeline').innerText();
  for (const line of ['Case completed', 'Identity verified', 'Our answer to your request', 'Email address confirmed']) {
    assert.ok(timeline.includes(line), `timeline shows '${line}'`);
  }

  // The dashboard counts it; logging out ends the session.
  await page.getByRole('link', { name: 'Dashboard' }).click();
  await shot(page, 'staff-dashboard');
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.goto(base + '/staff');
  assert.equal(new URL(page.url()).pathname, '/staff/login');
  await context.close();
});

test('every staff page fits a phone screen and passes axe', async () => {
  const reference = await fileRequest(`overflow.${Date.now()}@example.com`);
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(base + '/staff/login');
  await page.getByLabel('Email address').fill('dpo@example.org');
  await page.getByLabel('Password').fill('plum tractor velvet harbour');
  await page.getByRole('button', { name: 'Log in' }).click();
  const wide = [];
  const failures = [];
  for (const path of ['/staff', '/staff?status=all', `/staff/cases/${reference}`, '/staff/dashboard',
    '/staff/cases/new', '/staff/reports', '/staff/users', '/staff/systems', '/staff/tokens',
    '/staff/webhooks', '/staff/drp', '/staff/audit', '/staff/suppression', '/staff/settings/verification', '/staff/texts', '/staff/calendars']) {
    await page.goto(base + path);
    assert.notEqual(new URL(page.url()).pathname, '/staff/login', `${path} needs no new login`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 0) wide.push(`${path} by ${overflow}px`);
    for (const v of await axeViolations(page)) failures.push(`${path}: ${v}`);
  }
  await shot(page, 'staff-phone-settings');
  await page.goto(base + '/staff');
  await shot(page, 'staff-phone-queue');
  await page.goto(base + `/staff/cases/${reference}`);
  await shot(page, 'staff-phone-case');
  assert.deepEqual(wide, [], `pages wider than a 390px screen: ${wide.join(', ')}`);
  assert.deepEqual(failures, [], `axe violations:\n${failures.join('\n')}`);
  await context.close();
});

test('a requester follows their case, sends proof of identity, replies and withdraws', async () => {
  // Runs after the first test in this file, which made the admin account.
  const address = `grace.${Date.now()}@example.com`;
  const reference = await fileRequest(address);
  const ack = await waitForEmail(address, 'We have received your privacy request');
  const statusLink = ack.match(/https?:\/\/[^\s"<]+\/status\/[A-Za-z0-9_-]{43}/)[0];

  const staffContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const staff = await staffContext.newPage();
  await staff.goto(base + '/staff/login');
  await staff.getByLabel('Email address', { exact: true }).fill('dpo@example.org');
  await staff.getByLabel('Password').fill('plum tractor velvet harbour');
  await staff.getByRole('button', { name: 'Log in' }).click();
  await staff.goto(`${base}/staff/cases/${reference}`);
  await staff.locator('summary', { hasText: 'Ask for proof of identity' }).click();
  await staff.locator('form:has(input[value="request_identity"]) button').click();
  await staff.getByRole('button', { name: 'Send it and record the action' }).click();

  const phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
  const phone = await phoneContext.newPage();
  await phone.goto(statusLink);
  assert.match(await phone.locator('h1').innerText(), new RegExp(reference));
  assert.match(await phone.locator('main').innerText(), /Send your proof of identity/);
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `status page is ${overflow}px wider than the screen`);
  await shot(phone, 'status-proof-asked');
  await phone.getByLabel('Proof of identity', { exact: true }).setInputFiles({
    name: 'passport.pdf', mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n'),
  });
  await phone.getByLabel('Proof of address', { exact: true }).setInputFiles({
    name: 'bill.png', mimeType: 'image/png',
    buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
  });
  await phone.getByRole('button', { name: 'Send documents' }).click();
  assert.match(await phone.locator('main').innerText(), /We have 2 document\(s\) from you/);
  await shot(phone, 'status-documents-sent');

  await staff.reload();
  assert.match(await staff.locator('main').innerText(), /Identity documents to review/);
  await shot(staff, 'staff-documents');
  await staff.getByRole('button', { name: "They confirm the requester's identity" }).click();
  assert.match(await staff.locator('h1').innerText(), /In progress/i);
  await staff.locator('summary', { hasText: 'Ask for clarification' }).click();
  await staff.getByLabel('Your question').fill('Which of your two accounts do you mean?');
  await staff.locator('form:has(input[value="request_clarification"]) button').click();
  await staff.getByRole('button', { name: 'Send it and record the action' }).click();

  await phone.reload();
  assert.match(await phone.locator('main').innerText(), /Which of your two accounts do you mean\?/);
  await phone.getByLabel('Your message').fill('The business account, please.');
  await phone.getByRole('button', { name: 'Send message' }).click();
  assert.match(await phone.locator('main').innerText(), /We are working on your request/);
  assert.match(await phone.locator('main').innerText(), /The business account, please\./);
  assert.deepEqual(await axeViolations(phone), [], 'axe finds nothing on the status page');
  await shot(phone, 'status-replied');

  // Withdrawing asks first, and "no" changes nothing.
  await phone.getByRole('link', { name: 'Withdraw my request' }).click();
  assert.match(await phone.locator('h1').innerText(), /Withdraw your request\?/);
  assert.deepEqual(await axeViolations(phone), []);
  await shot(phone, 'status-withdraw-confirm');
  await phone.getByRole('link', { name: 'No, keep it' }).click();
  assert.doesNotMatch(await phone.locator('main').innerText(), /Withdrawn/);
  await phone.getByRole('link', { name: 'Withdraw my request' }).click();
  await phone.getByRole('button', { name: 'Yes, withdraw my request' }).click();
  assert.match(await phone.locator('main').innerText(), /Withdrawn/);
  await shot(phone, 'status-withdrawn');
  await waitForEmail(address, 'is withdrawn');
  await staffContext.close();
  await phoneContext.close();
});

test('a system owner answers their task with a file and the requester downloads the package', async () => {
  // Runs after the first test in this file, which made the admin account.
  const staffContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const staff = await staffContext.newPage();
  await staff.goto(base + '/staff/login');
  await staff.getByLabel('Email address', { exact: true }).fill('dpo@example.org');
  await staff.getByLabel('Password').fill('plum tractor velvet harbour');
  await staff.getByRole('button', { name: 'Log in' }).click();
  const owner = `crm.${Date.now()}@example.org`;
  await staff.goto(base + '/staff/systems');
  await staff.getByLabel('Name', { exact: true }).last().fill(`CRM ${Date.now()}`);
  await staff.getByLabel("Owner's email address").last().fill(owner);
  await staff.locator('#new-right-access').check();
  await staff.getByLabel('How long it keeps data').last().fill('2 years after the last order');
  await staff.getByRole('button', { name: 'Add the system' }).click();
  assert.equal(await staff.locator('input[value="2 years after the last order"]').count(), 1);
  await shot(staff, 'staff-systems');

  const address = `lin.${Date.now()}@example.com`;
  const reference = await fileRequest(address);
  await staff.goto(`${base}/staff/cases/${reference}`);
  await staff.getByLabel('Confirmed email address is enough for this request').check();
  await staff.getByRole('button', { name: 'Mark verified' }).click();

  // The owner answers from their email, on a phone, without an account.
  const task = await waitForEmail(owner, `Access in CRM`);
  const taskLink = task.match(/https?:\/\/[^\s"<]+\/tasks\/[A-Za-z0-9_-]{43}/)[0];
  const ownerContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const ownerPage = await ownerContext.newPage();
  await ownerPage.goto(taskLink);
  assert.match(await ownerPage.locator('main').innerText(), new RegExp(address.replace(/\./g, '\\.')));
  await ownerPage.getByLabel('Done', { exact: true }).check();
  await ownerPage.locator('#files').setInputFiles({
    name: 'orders.csv', mimeType: 'text/csv', buffer: Buffer.from('order,total\n1001,19.99\n'),
  });
  await shot(ownerPage, 'task-answer');
  await ownerPage.getByRole('button', { name: 'Send the answer' }).click();
  assert.match(await ownerPage.locator('h1').innerText(), /This task has been answered/);
  await ownerContext.close();

  await staff.reload();
  await staff.locator('summary', { hasText: 'Record the outcome' }).click();
  await staff.getByLabel('Done in full').check();
  await staff.getByRole('button', { name: 'Save outcome' }).click();
  await staff.locator('summary', { hasText: 'Send the final answer' }).click();
  await staff.getByRole('button', { name: 'Preview the email' }).click();
  await staff.getByRole('button', { name: 'Send it and record the action' }).click();
  assert.match(await staff.locator('h1').innerText(), /Completed/i);
  await staffContext.close();

  const answer = await waitForEmail(address, 'Our answer to your request');
  const links = answer.match(/https?:\/\/[^\s"<]+\/status\/[A-Za-z0-9_-]{43}/g);
  const phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 }, acceptDownloads: true });
  const phone = await phoneContext.newPage();
  await phone.goto(links[links.length - 1]);
  assert.match(await phone.locator('main').innerText(), /Your data package/);
  await shot(phone, 'status-package');
  const [download] = await Promise.all([
    phone.waitForEvent('download'),
    phone.getByRole('link', { name: /Download your data/ }).click(),
  ]);
  assert.match(download.suggestedFilename(), /your-data\.zip$/);
  const chunks = [];
  for await (const chunk of await download.createReadStream()) chunks.push(chunk);
  const zip = Buffer.concat(chunks);
  assert.equal(zip.subarray(0, 4).toString('binary'), 'PK\x03\x04');
  assert.ok(zip.includes(Buffer.from('manifest.json')), 'the zip lists its manifest');
  await phoneContext.close();
});
