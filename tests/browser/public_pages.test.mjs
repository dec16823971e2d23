// Browser tests of the public pages, in headless Chromium on a phone-sized
// screen, against a running Rightsdesk:
//   RIGHTSDESK_URL       the app's base URL (http://127.0.0.1:PORT)
//   RIGHTSDESK_MAIL_DIR  the directory its file transport writes .eml files to
//   SCREENSHOT_DIR       optional: where to leave screenshots for people to look at
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
const shots = process.env.SCREENSHOT_DIR;
if (!base || !mailDir) throw new Error('set RIGHTSDESK_URL and RIGHTSDESK_MAIL_DIR');
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

async function phone() {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
  return context.newPage();
}

async function shot(page, name) {
  if (shots) await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

function emailsTo(address) {
  return readdirSync(mailDir).filter((f) => f.endsWith('.eml')).sort()
    .map((f) => readFileSync(join(mailDir, f), 'utf8').replace(/=\r?\n/g, ''))
    .filter((raw) => raw.includes(`To: ${address}`));
}

async function waitForEmail(address, subject) {
  for (let i = 0; i < 100; i++) {
    const found = emailsTo(address).find((raw) => raw.includes(subject));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no email '${subject}' to ${address}`);
}

async function noOverflow(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${page.url()} is ${overflow}px wider than the screen`);
}

test('the home page leads to the form, one question a page on a phone', async () => {
  const page = await phone();
  await page.goto(base + '/');
  await page.getByRole('link', { name: 'Make a request' }).click();
  assert.equal(new URL(page.url()).pathname, '/requests/new');
  assert.equal(await page.locator('h1').innerText(), 'Who is this request for?');
  assert.equal(await page.locator('script').count(), 0, 'no JavaScript');
  await noOverflow(page);
  assert.deepEqual(await axeViolations(page), [], 'axe finds nothing on the first question');
  await shot(page, 'form-1-who');

  // Continuing without an answer asks again, the summary's link putting
  // the cursor on the first choice.
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.match(await page.title(), /^Error: /);
  const summary = page.getByRole('alert');
  await summary.getByRole('link', { name: /yourself or for someone else/ }).click();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'acting_as-self');
  assert.deepEqual(await axeViolations(page), []);
  await shot(page, 'form-1-who-error');

  await page.getByLabel('Myself').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.equal(await page.locator('h1').innerText(), 'Where do you live?');
  await noOverflow(page);
  assert.deepEqual(await axeViolations(page), []);
  await shot(page, 'form-2-where');
  await page.getByLabel('Where do you live?').selectOption('FR');
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.equal(await page.locator('h1').innerText(), 'What are you asking us to do?');
  // Only what French law gives: no California-only choices.
  assert.equal(await page.getByLabel(/opt out of sale/).count(), 0);
  assert.equal(await page.getByLabel('Restrict (pause) the use of my personal data').count(), 1);
  await noOverflow(page);
  assert.deepEqual(await axeViolations(page), []);
  await shot(page, 'form-3-what');
  await page.getByLabel('Correct personal data that is wrong or incomplete').check();
  await page.getByRole('button', { name: 'Continue' }).click();

  // The details: the answers, and only what correcting data needs.
  assert.equal(await page.locator('h1').innerText(), 'Your details');
  assert.match(await page.locator('dl.answers').innerText(), /France/);
  assert.equal(await page.getByLabel('Which data is wrong or incomplete, and what should it say?').isVisible(), true);
  assert.equal(await page.locator('#access_scope').count(), 0);
  await noOverflow(page);
  assert.deepEqual(await axeViolations(page), []);
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  console.log(`the details page for one right is ${height}px high at 390px wide`);
  await shot(page, 'form-4-details');

  // Changing the place keeps the other answers and what was typed
  // (California's law gives a right to correct too): back to the details.
  await page.getByLabel('Full name').fill('Grace Hopper');
  await page.getByLabel('Which data is wrong or incomplete, and what should it say?').fill('My surname');
  await page.getByRole('button', { name: 'Change where you live' }).click();
  assert.equal(await page.getByLabel('Where do you live?').inputValue(), 'FR');
  await page.getByLabel('Where do you live?').selectOption('US-CA');
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.equal(await page.locator('h1').innerText(), 'Your details');
  assert.match(await page.locator('dl.answers').innerText(), /California/);
  assert.equal(await page.getByLabel('Full name').inputValue(), 'Grace Hopper');
  assert.equal(await page.getByLabel('Which data is wrong or incomplete, and what should it say?').inputValue(), 'My surname');
  // Back from a question being changed returns to the details, typing kept.
  await page.getByRole('button', { name: 'Change who the request is for' }).click();
  assert.equal(await page.locator('h1').innerText(), 'Who is this request for?');
  assert.deepEqual(await axeViolations(page), [], 'axe finds nothing on a question asked again');
  await page.getByRole('button', { name: 'Back' }).click();
  assert.equal(await page.locator('h1').innerText(), 'Your details');
  assert.equal(await page.getByLabel('Full name').inputValue(), 'Grace Hopper');
  // Enter in a field sends the request (not a Change button).
  await page.getByLabel('Email address', { exact: true }).fill('not-an-email');
  await page.getByLabel('Email address', { exact: true }).press('Enter');
  assert.match(await page.title(), /^Error: /);
  assert.match(await page.getByRole('alert').innerText(), /correct format/);
});

test('a right the new place does not give is shown ticked, to untick', async () => {
  const page = await phone();
  await answerQuestions(page, base, { where: 'FR', what: ['Restrict (pause) the use of my personal data'] });
  await page.getByRole('button', { name: 'Change where you live' }).click();
  await page.getByLabel('Where do you live?').selectOption('US-CA');
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.equal(await page.locator('h1').innerText(), 'What are you asking us to do?');
  assert.match(await page.getByRole('alert').innerText(), /does not give this right/);
  // The error's link puts the cursor on the right to untick.
  await page.getByRole('alert').getByRole('link').click();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'right-restriction');
  const restriction = page.getByLabel('Restrict (pause) the use of my personal data');
  assert.equal(await restriction.isChecked(), true);
  assert.equal(await page.getByLabel(/opt out of sale/).count(), 1);
  await restriction.uncheck();
  await page.getByLabel(/opt out of sale/).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.equal(await page.locator('h1').innerText(), 'Your details');
  await shot(page, 'form-california');
});

test('mistakes are listed, explained next to each field, and nothing typed is lost', async () => {
  const page = await phone();
  await answerQuestions(page, base, { what: ['Get a copy of my personal data', 'Restrict (pause) the use of my personal data'] });
  await page.getByLabel('Full name').fill('Grace Hopper');
  await page.getByLabel('Email address', { exact: true }).fill('grace@example');
  await page.getByLabel(/^What do you want a copy of/).fill('Everything since 2020');
  await page.getByRole('button', { name: 'Send request' }).click();
  assert.match(await page.title(), /^Error: /);
  const summary = page.getByRole('alert');
  assert.match(await summary.innerText(), /There is a problem/);
  assert.equal(await page.getByLabel('Full name').inputValue(), 'Grace Hopper');
  assert.equal(await page.getByLabel(/^What do you want a copy of/).inputValue(), 'Everything since 2020');
  assert.equal(await page.getByLabel('Email address').getAttribute('aria-invalid'), 'true');
  // In page order, each link putting the cursor in its field (the first
  // choice of a group).
  const links = await summary.getByRole('link').allInnerTexts();
  assert.deepEqual(links.map((l) => /format/.test(l) ? 'email' : /restricted/.test(l) ? 'restriction' : l),
    ['email', 'restriction']);
  await summary.getByRole('link', { name: /correct format/ }).click();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'email');
  await summary.getByRole('link').last().click();
  assert.match(await page.evaluate(() => document.activeElement?.id), /^restriction_ground-/);
  await noOverflow(page);
  assert.deepEqual(await axeViolations(page), [], 'axe finds nothing on the form with its errors');
  await shot(page, 'form-errors');
});

test('a requester files, confirms by email and sees the due date', async () => {
  const address = `grace.${Date.now()}@example.com`;
  const page = await phone();
  await answerQuestions(page, base, { what: ['Delete my personal data'] });
  await page.getByLabel('Full name').fill('Grace Hopper');
  await page.getByLabel('Email address', { exact: true }).fill(address);
  await page.getByLabel('The data is no longer needed for the purpose it was collected for').check();
  await page.getByRole('button', { name: 'Send request' }).click();
  assert.equal(new URL(page.url()).pathname, '/requests/submitted');
  assert.match(await page.locator('h1').innerText(), /Check your email/);
  assert.match(await page.locator('main').innerText(), new RegExp(`sent an email with a link to ${address.replace(/\./g, '\\.')}`));
  assert.deepEqual(await axeViolations(page), []);
  await shot(page, 'submitted');

  const confirmation = await waitForEmail(address, 'Confirm your email');
  const link = confirmation.match(/https?:\/\/[^\s"<]+\/confirm\/[A-Za-z0-9_-]{43}/)[0];
  await page.goto(link);
  assert.deepEqual(await axeViolations(page), []);
  await shot(page, 'confirm');
  await page.getByRole('button', { name: 'Confirm and start my request' }).click();
  assert.match(await page.locator('h1').innerText(), /Your request has started/);
  const reference = (await page.locator('.reference').innerText()).trim();
  assert.match(reference, /^RD-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  assert.match(await page.locator('main').innerText(), /We must answer by \w+day \d+ \w+ \d{4}/);
  assert.deepEqual(await axeViolations(page), []);
  await shot(page, 'confirmed');

  const ack = await waitForEmail(address, 'We have received your privacy request');
  assert.ok(ack.includes(reference));
});

test('someone acting for another person files at desktop width, saying so first', async () => {
  const agent = `mo.${Date.now()}@advocates.example`;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(base + '/requests/new');
  // Who is asking comes first: it decides whose name and address are asked.
  assert.equal(await page.locator('h1').innerText(), 'Who is this request for?');
  await page.getByLabel('Someone else, who has authorised me to act for them').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.equal(await page.locator('h1').innerText(), 'Where does the person you act for live?');
  await page.getByLabel('Where does the person you act for live?').selectOption('GB');
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.equal(await page.locator('h1').innerText(), 'What is the person you act for asking us to do?');
  await page.getByLabel('Get a copy of their personal data').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.equal(await page.locator('h1').innerText(), 'Your details and theirs');
  const order = await page.evaluate(() => ['agent_name', 'agent_email', 'name', 'email']
    .map((id) => document.getElementById(id).getBoundingClientRect().top));
  assert.deepEqual([...order].sort((a, b) => a - b), order, 'yours, then theirs');
  await page.getByLabel('Your name, as the person acting for them').fill('Mo Advocate');
  await page.getByLabel('Your own email').fill(agent);
  await page.getByLabel('Their full name').fill('Grace Hopper');
  await page.getByLabel('Their email address').fill(`grace.${Date.now()}@example.com`);
  assert.deepEqual(await axeViolations(page), []);
  await shot(page, 'form-agent-desktop');
  await page.getByRole('button', { name: 'Send request' }).click();
  assert.match(await page.locator('h1').innerText(), /Check your email/);
  // The email goes to the one acting, and the page says so.
  assert.match(await page.locator('main').innerText(), new RegExp(agent.replace(/\./g, '\\.')));
  await waitForEmail(agent, 'Confirm your email');
  await context.close();
});
