// The framework typings of types/ (shipped as `callcaps/types/<framework>`),
// written from custom-elements.json by `npm run analyze` (a plugin of
// custom-elements-manifest.config.mjs, run after the manifest is complete).
//
// The generators of the ecosystem (@wc-toolkit/jsx-types,
// custom-element-vuejs-integration, custom-element-svelte-integration) were
// tried first: their output imported the event details twice (a duplicate
// identifier), wrapped event types in a second `CustomEvent<…>`, and turned
// a reflected attribute without a property into a prop named `undefined`.
// This writes what each framework documents for custom elements:
// - React 19, Preact, Solid: JSX `IntrinsicElements` in the framework's module;
// - Vue: `GlobalComponents`, with Vue's `DefineCustomElement` recipe ($props, $emit);
// - Svelte 5: `SvelteHTMLElements` of `svelte/elements`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const HEADER = '// Generated from custom-elements.json by `npm run analyze`: do not edit.\n';

/** The package entry that exports the classes a defining module registers. */
const ENTRY_OF_DEFINITION = {
  'dist/define.js': 'callcaps/core',
  'dist/define-stage.js': 'callcaps/media',
};
/** The entry that exports the types named in event types (`CallcapsActionDetail`…). */
const EVENT_TYPES_ENTRY = 'callcaps/core';
const BUILT_IN = new Set(['CustomEvent', 'Event', 'Partial', 'Readonly']);

const literal = /^(?:'[^']*'|"[^"]*"|-?\d+(?:\.\d+)?|true|false|null|undefined|string|number|boolean)$/;
/** Whether a manifest type can be written as it is: literals and primitives, no names to import. */
const selfContained = (text) => text.split('|').every((part) => literal.test(part.trim()));

const doc = (text, indent) => {
  if (!text) return '';
  const lines = text.trim().replace(/\*\//g, '*\\/').split('\n');
  return lines.length === 1
    ? `${indent}/** ${lines[0]} */\n`
    : `${indent}/**\n${lines.map((line) => `${indent} *${line ? ` ${line}` : ''}`).join('\n')}\n${indent} */\n`;
};
const key = (name) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name}'`);

/** The elements of the manifest, with what every framework file needs of each. */
export function elementsOf(manifest) {
  const definitions = new Map();
  for (const module of manifest.modules) {
    for (const entry of module.exports ?? []) {
      if (entry.kind !== 'custom-element-definition') continue;
      const from = ENTRY_OF_DEFINITION[module.path];
      if (!from) throw new Error(`framework-types: no package entry for ${module.path}, which defines <${entry.name}>`);
      definitions.set(entry.declaration.name, { tag: entry.name, from });
    }
  }
  return manifest.modules
    .flatMap((module) => module.declarations ?? [])
    .filter((declaration) => declaration.customElement && definitions.has(declaration.name))
    .map((declaration) => {
      const { tag, from } = definitions.get(declaration.name);
      const className = declaration.name;
      const fields = (declaration.members ?? []).filter(
        (member) => member.kind === 'field' && !member.privacy && !member.static && !member.readonly && member.description,
      );
      const props = fields.map((field) => ({
        name: field.name,
        attribute: field.attribute,
        description: field.description,
        type: field.type?.text && selfContained(field.type.text)
          ? field.type.text.split('|').map((part) => part.trim()).filter((part) => part !== 'undefined').join(' | ')
          : `${className}['${field.name}']`,
      }));
      const events = (declaration.events ?? []).map((event) => ({
        name: event.name,
        description: event.description,
        type: event.type?.text ?? 'Event',
      }));
      return { tag, from, className, summary: declaration.summary ?? declaration.description, props, events };
    })
    .sort((a, b) => a.tag.localeCompare(b.tag));
}

/** Imports of the element classes and of the names that event types use. */
function imports(elements) {
  const byEntry = new Map();
  const add = (from, name) => byEntry.set(from, new Set([...(byEntry.get(from) ?? []), name]));
  for (const element of elements) {
    add(element.from, element.className);
    for (const event of element.events) {
      for (const [name] of event.type.matchAll(/\b[A-Z]\w*/g)) if (!BUILT_IN.has(name)) add(EVENT_TYPES_ENTRY, name);
    }
  }
  return [...byEntry]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([from, names]) => `import type { ${[...names].sort().join(', ')} } from '${from}';\n`)
    .join('');
}

/** types/props.d.ts: one interface of properties and attributes per element, framework-neutral. */
function props(elements) {
  let out = `${HEADER}// The properties (and attributes under their own names) of each element, for\n// the framework files beside this one.\n${imports(elements.map((e) => ({ ...e, events: [] })))}`;
  for (const element of elements) {
    out += `\n${doc(`Properties and attributes of \`<${element.tag}>\` (\`${element.className}\`).`, '')}export interface ${element.className}Props {\n`;
    for (const prop of element.props) {
      out += `${doc(prop.description, '  ')}  ${key(prop.name)}?: ${prop.type};\n`;
      if (prop.attribute && prop.attribute !== prop.name) {
        out += `${doc(`The \`${prop.attribute}\` attribute: see \`${prop.name}\`.`, '  ')}  ${key(prop.attribute)}?: ${prop.type};\n`;
      }
    }
    out += '}\n';
  }
  return out;
}

/** Event handler props named as the framework listens: `oncallcaps-action`, `on:callcaps-action`. */
const handlers = (element, names, indent) =>
  element.events
    .flatMap((event) =>
      names(event.name).map((name) => `${doc(event.description, indent)}${indent}${key(name)}?: (event: ${event.type}) => void;\n`),
    )
    .join('');

const propsImport = (elements) => `import type { ${elements.map((e) => `${e.className}Props`).join(', ')} } from './props.js';\n`;

/** JSX frameworks: React 19 (`react`), Preact (`preact`), Solid (`solid-js`). */
function jsx(elements, { module, attributes, importLine, handlerNames, intro }) {
  let out = `${HEADER}${intro}\n${importLine}${imports(elements)}${propsImport(elements)}\n`;
  out += `declare module '${module}' {\n  namespace JSX {\n    interface IntrinsicElements {\n`;
  for (const element of elements) {
    const own = `${element.className}Props & {\n${handlers(element, handlerNames, '        ')}      }`;
    out += `${doc(element.summary, '      ')}      '${element.tag}': Omit<${attributes(element.className)}, keyof ${element.className}Props> & ${own};\n`;
  }
  return `${out}    }\n  }\n}\n`;
}

function vue(elements) {
  let out = `${HEADER}// Vue 3: \`<call-controls>\`… in templates type-check (also with \`strictTemplates\`),
// following Vue's recipe for custom elements (DefineCustomElement: $props for
// the template's props, $emit for its \`@event\` listeners). Tell Vue's compiler
// that these tags are custom elements (\`compilerOptions.isCustomElement\`).
import type { EmitFn, HTMLAttributes, PublicProps } from 'vue';
${imports(elements)}${propsImport(elements)}
type DefineCustomElement<Element extends HTMLElement, Props, Events extends Record<string, (...args: any[]) => void>> = new () => Element & {
  /** @deprecated For template type checking only; not a property of the element. */
  $props: Omit<HTMLAttributes, keyof Props> & Props & PublicProps;
  /** @deprecated For template type checking only; not a method of the element. */
  $emit: EmitFn<Events>;
};

declare module 'vue' {
  interface GlobalComponents {
`;
  for (const element of elements) {
    const events = element.events.map((event) => `${doc(event.description, '        ')}        ${key(event.name)}: (event: ${event.type}) => void;\n`).join('');
    out += `${doc(element.summary, '    ')}    '${element.tag}': DefineCustomElement<${element.className}, ${element.className}Props, {\n${events}    }>;\n`;
  }
  return `${out}  }\n}\n`;
}

function svelte(elements) {
  let out = `${HEADER}// Svelte 5: \`<call-controls>\`… in markup type-check with svelte-check
// (\`oncallcaps-action={…}\` listens for \`callcaps-action\`).
import type { HTMLAttributes } from 'svelte/elements';
${imports(elements)}${propsImport(elements)}
declare module 'svelte/elements' {
  export interface SvelteHTMLElements {
`;
  for (const element of elements) {
    const own = `${element.className}Props & {\n${handlers(element, (name) => [`on${name}`, `on:${name}`], '      ')}    }`;
    out += `${doc(element.summary, '    ')}    '${element.tag}': Omit<HTMLAttributes<${element.className}>, keyof ${element.className}Props> & ${own};\n`;
  }
  return `${out}  }\n}\n`;
}

/** Every file of types/, by name. */
export function frameworkTypes(manifest) {
  const elements = elementsOf(manifest);
  return {
    'props.d.ts': props(elements),
    'react.d.ts': jsx(elements, {
      module: 'react',
      intro: '// React 19: `<call-controls>`… in TSX type-check. React 19 sets properties\n// (`call`, `strings`) on custom elements and listens for `oncallcaps-action`.\n',
      importLine: "import type { DetailedHTMLProps, HTMLAttributes } from 'react';\n",
      attributes: (className) => `DetailedHTMLProps<HTMLAttributes<${className}>, ${className}>`,
      handlerNames: (name) => [`on${name}`],
    }),
    'preact.d.ts': jsx(elements, {
      module: 'preact',
      intro: '// Preact: `<call-controls>`… in TSX type-check; `oncallcaps-action` listens\n// for `callcaps-action`.\n',
      importLine: "import type { HTMLAttributes } from 'preact';\n",
      attributes: (className) => `HTMLAttributes<${className}>`,
      handlerNames: (name) => [`on${name}`],
    }),
    'solid.d.ts': jsx(elements, {
      module: 'solid-js',
      intro: '// Solid: `<call-controls>`… in TSX type-check; `on:callcaps-action` listens\n// for `callcaps-action`.\n',
      importLine: "import type { JSX as SolidJSX } from 'solid-js';\n",
      attributes: (className) => `SolidJSX.HTMLAttributes<${className}>`,
      handlerNames: (name) => [`on:${name}`],
    }),
    'vue.d.ts': vue(elements),
    'svelte.d.ts': svelte(elements),
  };
}

/** The analyzer plugin: writes every file of types/ into `outdir` once the manifest is complete. */
export function frameworkTypesPlugin({ outdir }) {
  return {
    name: 'callcaps-framework-types',
    packageLinkPhase({ customElementsManifest }) {
      mkdirSync(outdir, { recursive: true });
      for (const [file, text] of Object.entries(frameworkTypes(customElementsManifest))) writeFileSync(join(outdir, file), text);
    },
  };
}
