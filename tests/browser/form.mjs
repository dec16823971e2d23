// Answers the request form's one-question pages (who, where, what) as a
// requester would, leaving the page on the details.

export async function answerQuestions(page, base, { who = 'Myself', where = 'GB', what = ['Get a copy of my personal data'] } = {}) {
  await page.goto(base + '/requests/new');
  await page.getByLabel(who).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel(/^Where do/).selectOption(where);
  await page.getByRole('button', { name: 'Continue' }).click();
  for (const right of what) await page.getByLabel(right).check();
  await page.getByRole('button', { name: 'Continue' }).click();
}
