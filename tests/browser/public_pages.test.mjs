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

test('the home page leads to the form, which fits a phone screen', async () => {
  const page = await phone();
  await page.goto(base + '/');
  await page.getByRole('link', { name: 'Make a request' }).click();
  assert.equal(new URL(page.url()).pathname, '/requests/new');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
  assert.deepEqual(await axeViolations(page), [], 'axe finds nothing on the form');
  await shot(page, 'form');
});

test('details for a right show only once it is ticked', async () => {
  const page = await phone();
  await page.goto(base + '/requests/new');
  const details = page.getByLabel('Which data is wrong or incomplete, and what should it say?');
  assert.equal(await details.isVisible(), false);
  await page.getByLabel('Correct personal data that is wrong or incomplete').check();
  assert.equal(await details.isVisible(), true);
});

test('the form offers only the rights the law of the chosen place grants', async () => {
  const page = await phone();
  await page.goto(base + '/requests/new');
  const optOut = page.locator('#right-box-opt_out');
  const restriction = page.locator('#right-box-restriction');
  // Before a place is chosen, every right (California-only ones say so).
  assert.equal(await optOut.isVisible(), true);
  assert.match(await optOut.innerText(), /CCPA only/);
  await page.getByLabel('Where do you live?').selectOption('FR');
  assert.equal(await optOut.isVisible(), false);
  assert.equal(await restriction.isVisible(), true);
  await page.getByLabel('Where do you live?').selectOption('US-CA');
  assert.equal(await optOut.isVisible(), true);
  assert.equal(await page.locator('#right-box-limit').isVisible(), true);
  assert.equal(await restriction.isVisible(), false);
  await shot(page, 'form-california');
});

test('mistakes are listed, explained next to each field, and nothing typed is lost', async () => {
  const page = await phone();
  await page.goto(base + '/requests/new');
  await page.getByLabel('Full name').fill('Grace Hopper');
  await page.getByLabel('Email address', { exact: true }).fill('grace@example');
  await page.getByLabel('Where do you live?').selectOption('GB');
  await page.getByRole('button', { name: 'Send request' }).click();
  assert.match(await page.title(), /^Error: /);
  const summary = page.getByRole('alert');
  assert.match(await summary.innerText(), /There is a problem/);
  assert.match(await summary.innerText(), /correct format/);
  assert.match(await summary.innerText(), /Select at least one thing/);
  assert.equal(await page.getByLabel('Full name').inputValue(), 'Grace Hopper');
  assert.equal(await page.getByLabel('Email address').getAttribute('aria-invalid'), 'true');
  // In page order, each link putting the cursor in its field (the first
  // choice of a group).
  const links = await summary.getByRole('link').allInnerTexts();
  assert.deepEqual(links.map((l) => /yourself or for someone else/.test(l) ? 'acting_as' : /format/.test(l) ? 'email' : /at least one/.test(l) ? 'rights' : l),
    ['acting_as', 'email', 'rights']);
  await summary.getByRole('link', { name: /correct format/ }).click();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'email');
  await summary.getByRole('link').first().click();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'acting_as-self');
  await summary.getByRole('link', { name: /Select at least one/ }).click();
  assert.match(await page.evaluate(() => document.activeElement?.id), /^right-/);
  assert.deepEqual(await axeViolations(page), [], 'axe finds nothing on the form with its errors');
  await shot(page, 'form-errors');
});

test('a requester files, confirms by email and sees the due date', async () => {
  const address = `grace.${Date.now()}@example.com`;
  const page = await phone();
  await page.goto(base + '/requests/new');
  await page.getByLabel('Full name').fill('Grace Hopper');
  await page.getByLabel('Email address', { exact: true }).fill(address);
  await page.getByLabel('Where do you live?').selectOption('GB');
  await page.getByLabel('Myself').check();
  await page.getByLabel('Delete my personal data').check();
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
  // Who is asking comes before the name and address it decides the meaning of.
  const order = await page.evaluate(() => ['acting_as-self', 'name', 'email', 'location']
    .map((id) => document.getElementById(id).getBoundingClientRect().top));
  assert.deepEqual([...order].sort((a, b) => a - b), order, 'who is asking, then name, email, place');
  await page.getByLabel('Someone else, who has authorised me to act for them').check();
  await page.getByLabel('Your name, as the person acting for them').fill('Mo Advocate');
  await page.getByLabel('Your own email').fill(agent);
  await page.getByLabel('Full name').fill('Grace Hopper');
  await page.getByLabel('Email address', { exact: true }).fill(`grace.${Date.now()}@example.com`);
  await page.getByLabel('Where do you live?').selectOption('GB');
  await page.getByLabel('Get a copy of my personal data').check();
  assert.deepEqual(await axeViolations(page), []);
  await shot(page, 'form-agent-desktop');
  await page.getByRole('button', { name: 'Send request' }).click();
  assert.match(await page.locator('h1').innerText(), /Check your email/);
  // The email goes to the one acting, and the page says so.
  assert.match(await page.locator('main').innerText(), new RegExp(agent.replace(/\./g, '\\.')));
  await waitForEmail(agent, 'Confirm your email');
  await context.close();
});
