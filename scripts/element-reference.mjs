// Writes the element reference of the README (between the markers below) from
// custom-elements.json. `npm run analyze` runs it; with --check it only fails
// when the README is not what it would write.
import { readFileSync, writeFileSync } from 'node:fs';

const START = '<!-- element-reference:start (generated from custom-elements.json by npm run analyze) -->';
const END = '<!-- element-reference:end -->';

const cell = (text) => String(text ?? '').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const code = (text) => (text ? `\`${text}\`` : "");

function table(headings, rows) {
  if (rows.length === 0) return '';
  return [
    `| ${headings.join(' | ')} |`,
    `|${headings.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

function reference(manifest) {
  const elements = manifest.modules
    .flatMap((module) => module.declarations ?? [])
    .filter((declaration) => declaration.customElement && declaration.tagName)
    .sort((a, b) => a.tagName.localeCompare(b.tagName));
  return elements
    .map((el) => {
      const properties = (el.members ?? []).filter(
        (member) => member.kind === 'field' && !member.privacy && !member.static && member.description,
      );
      const sections = [
        [`Properties`, table(['property', 'attribute', 'type', 'default', 'description'],
          properties.map((p) => [code(p.name), code(p.attribute), code(p.type?.text), code(p.default), p.description]))],
        ['Events', table(['event', 'description'], (el.events ?? []).map((e) => [code(e.name), e.description]))],
        ['Slots', table(['slot', 'description'], (el.slots ?? []).map((s) => [s.name ? code(s.name) : '(default)', s.description]))],
        ['Parts', table(['part', 'description'], (el.cssParts ?? []).map((p) => [code(p.name), p.description]))],
        ['CSS custom properties', table(['property', 'description'], (el.cssProperties ?? []).map((p) => [code(p.name), p.description]))],
      ].filter(([, body]) => body);
      return [`#### \`<${el.tagName}>\` (${el.name})`, '', el.summary ?? '', '', ...sections.flatMap(([title, body]) => [`${title}:`, '', body, ''])].join('\n');
    })
    .join('\n');
}

const readme = readFileSync('README.md', 'utf8');
const start = readme.indexOf(START);
const end = readme.indexOf(END);
if (start < 0 || end < start) {
  console.error(`README.md lacks the markers ${START} … ${END}`);
  process.exit(1);
}
const generated = `${START}\n\n${reference(JSON.parse(readFileSync('custom-elements.json', 'utf8')))}\n${END}`;
const next = readme.slice(0, start) + generated + readme.slice(end + END.length);
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('The element reference in README.md is stale: run "npm run analyze" and commit it.');
    process.exit(1);
  }
  console.log('the README element reference is current');
} else if (next !== readme) {
  writeFileSync('README.md', next);
}
