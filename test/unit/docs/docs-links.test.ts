// README.md stays what a new user needs and docs/ holds the rest: every relative link in README.md
// and docs/*.md names a file of the repository, every #anchor a heading of the page it points to
// (GitHub's slugs), and README.md stays under 300 lines.
import { describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const pages = ['README.md', ...readdirSync(path.join(root, 'docs')).map((name) => `docs/${name}`)].filter((p) => p.endsWith('.md'));

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  return new Set([...text.matchAll(/^#{1,6} (.*)$/gm)].map((m) => slug(m[1] ?? '')));
}

function linksOf(page: string): { target: string; anchor: string | undefined }[] {
  const text = readFileSync(path.join(root, page), 'utf8')
    .replace(/^```[\s\S]*?^```/gm, '')
    .replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? '')
    .filter((href) => !/^[a-z][a-z0-9+.-]*:/i.test(href))
    .map((href) => {
      const [file = '', anchor] = href.split('#');
      return { target: file === '' ? path.join(root, page) : path.resolve(path.dirname(path.join(root, page)), file), anchor };
    });
}

describe('README.md and docs/', () => {
  test('README.md is under 300 lines', () => {
    expect(readFileSync(path.join(root, 'README.md'), 'utf8').split('\n').length).toBeLessThan(300);
  });

  test.each(pages)('every relative link and anchor in %s resolves', (page) => {
    const broken = linksOf(page).filter(
      ({ target, anchor }) => !existsSync(target) || (anchor !== undefined && target.endsWith('.md') && !anchorsOf(target).has(anchor)),
    );
    expect(broken.map(({ target, anchor }) => `${path.relative(root, target)}${anchor === undefined ? '' : `#${anchor}`}`)).toEqual([]);
  });
});
