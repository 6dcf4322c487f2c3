import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';

const PUBLIC = join(__dirname, '..', '..', 'web', 'public');

/**
 * The pages are served with `style-src 'self'; script-src 'self'` (api/web.ts): an inline <style>,
 * a style attribute or an inline <script> is silently ignored by the browser. The department
 * page once shipped its whole layout that way, never applied.
 */
describe('web pages: nothing inline that the Content-Security-Policy would drop', () => {
  const pages = readdirSync(PUBLIC).filter((f) => f.endsWith('.html'));

  it('finds the pages', () => {
    expect(pages).to.include.members(['agent.html', 'supervisor.html', 'department.html', 'outages.html']);
  });

  for (const page of pages) {
    it(`${page}: no <style>, no style="…", no inline <script>, no on…= handlers`, () => {
      const html = readFileSync(join(PUBLIC, page), 'utf8');
      expect(html).to.not.match(/<style[\s>]/i);
      expect(html).to.not.match(/\sstyle\s*=/i);
      expect(html).to.not.match(/<script(?![^>]*\ssrc=)[^>]*>/i);
      expect(html).to.not.match(/\son[a-z]+\s*=/i);
    });
  }
});
