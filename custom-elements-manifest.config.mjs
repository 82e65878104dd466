// `npm run analyze`: custom-elements.json from the JSDoc of the element classes,
// and from it the framework typings (types/) and the editor data
// (vscode.*-custom-data.json, web-types.json). scripts/check-manifest.mjs runs
// the same config into a scratch directory (CEM_OUTDIR) to find stale files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { customElementVsCodePlugin } from 'custom-element-vs-code-integration';
import { customElementJetBrainsPlugin } from 'custom-element-jet-brains-integration';
import { frameworkTypesPlugin } from './scripts/framework-types.mjs';

const outdir = process.env.CEM_OUTDIR ?? '.';

const GLOBS = ['src/elements/**/*.ts'];
const EXCLUDE = ['src/**/*.styles.ts', 'src/elements/shared/styles.ts', 'src/elements/shared/icons.ts', 'src/**/*.test.ts'];

/** `src/x/y.ts` (or `/src/x/y.js`, as the analyzer writes superclass modules) → `dist/x/y.js`, the file the package ships. */
const shipped = (path) => path.replace(/^\/?src\//, 'dist/').replace(/\.ts$/, '.js');

/**
 * The registering modules: each tag of `ELEMENTS` in src/define.ts (registered
 * by `define()`, which the main entry calls) and `call-stage` in
 * src/define-stage.ts (`defineStage()`, called by `callcaps/media`). Read from
 * the sources so that a new element cannot be left out of the manifest.
 */
function definitions() {
  const define = readFileSync('src/define.ts', 'utf8');
  const map = define.slice(define.indexOf('export const ELEMENTS'));
  const tags = [...map.slice(0, map.indexOf('}')).matchAll(/'([a-z]+(?:-[a-z]+)+)':\s*(\w+)/g)].map(([, tag, name]) => ({ tag, name }));
  if (!tags.length) throw new Error('custom-elements-manifest.config.mjs: no ELEMENTS in src/define.ts');
  const stage = readFileSync('src/define-stage.ts', 'utf8').match(/customElements\.define\(name, (\w+)\)/);
  if (!stage) throw new Error('custom-elements-manifest.config.mjs: no customElements.define in src/define-stage.ts');
  return [
    { path: 'src/define.ts', tags },
    { path: 'src/define-stage.ts', tags: [{ tag: 'call-stage', name: stage[1] }] },
  ];
}

/** Type aliases of the analyzed sources that are unions of literals, by name. */
const literalAliases = new Map();

export default {
  globs: GLOBS,
  // Styles and icons are implementation: their source text would only bloat the manifest.
  exclude: EXCLUDE,
  outdir,
  litelement: true,
  // Never rewrite package.json's "customElements" (the check writes to a scratch directory).
  packagejson: false,
  plugins: [
    {
      // The elements declare reactive properties in \`static properties\` (no decorator
      // helpers in the bundle); the analyzer then marks every field \`public\` and
      // gives internal state (\`state: true\`, private or protected) an attribute.
      // Give the manifest the shape decorators gave it.
      name: 'callcaps-static-properties',
      packageLinkPhase({ customElementsManifest }) {
        for (const declaration of customElementsManifest.modules.flatMap((module) => module.declarations ?? [])) {
          const internal = new Set();
          for (const member of declaration.members ?? []) {
            if (member.privacy === 'public') delete member.privacy;
            else if (member.privacy && member.attribute) {
              internal.add(member.name);
              delete member.attribute;
            }
          }
          if (declaration.attributes) {
            declaration.attributes = declaration.attributes.filter((attribute) => !internal.has(attribute.fieldName));
          }
        }
      },
    },
    {
      // Editors and generators read `type.text`: an alias of a literal union
      // (`type Gating = 'hide' | 'disable'`) would be offered as the value
      // "Gating". Write the union in its place. The aliases are read from the
      // analyzed sources, syntactically: a type checker would cost seconds.
      name: 'callcaps-literal-types',
      analyzePhase({ ts, node }) {
        if (!ts.isTypeAliasDeclaration(node)) return;
        const members = ts.isUnionTypeNode(node.type) ? node.type.types : [node.type];
        if (members.every((member) => ts.isLiteralTypeNode(member))) {
          literalAliases.set(node.name.text, members.map((member) => member.getText().replace(/"/g, "'")).join(' | '));
        }
      },
      packageLinkPhase({ customElementsManifest }) {
        const expand = (type) => {
          if (type?.text) type.text = type.text.split(' | ').map((part) => literalAliases.get(part) ?? part).join(' | ');
        };
        for (const declaration of customElementsManifest.modules.flatMap((module) => module.declarations ?? [])) {
          for (const item of [...(declaration.members ?? []), ...(declaration.attributes ?? [])]) expand(item.type);
        }
      },
    },
    {
      // The base class's `strings: Partial<S>` names its type parameter: each
      // element has its own strings interface (`CallcapsElement<CallControlsStrings>`).
      name: 'callcaps-strings-type',
      analyzePhase({ ts, node, moduleDoc }) {
        if (!ts.isClassDeclaration(node) || !node.name) return;
        const heritage = node.heritageClauses?.flatMap((clause) => clause.types) ?? [];
        const base = heritage.find((type) => type.expression.getText() === 'CallcapsElement' && type.typeArguments?.length);
        const declaration = moduleDoc.declarations?.find((d) => d.name === node.name.text);
        if (base && declaration) declaration.stringsType = base.typeArguments[0].getText();
      },
      packageLinkPhase({ customElementsManifest }) {
        for (const declaration of customElementsManifest.modules.flatMap((module) => module.declarations ?? [])) {
          const strings = declaration.stringsType ?? (declaration.name === 'CallcapsElement' ? 'CommonStrings' : undefined);
          delete declaration.stringsType;
          const index = declaration.members?.findIndex((m) => m.name === 'strings') ?? -1;
          const member = declaration.members?.[index];
          // Inherited members are shared between the subclasses: replace, never mutate.
          if (strings && member?.type) {
            declaration.members[index] = { ...member, type: { ...member.type, text: member.type.text.replace(/\bS\b/, strings) } };
          }
        }
      },
    },
    {
      // The manifest describes the package as shipped: dist/*.js (with .d.ts beside
      // them), not the TypeScript sources, which are not in the tarball.
      name: 'callcaps-shipped-paths',
      packageLinkPhase({ customElementsManifest }) {
        const fix = (reference) => {
          if (reference?.module) reference.module = shipped(reference.module);
        };
        for (const module of customElementsManifest.modules) {
          module.path = shipped(module.path);
          for (const declaration of module.declarations ?? []) {
            fix(declaration.superclass);
            fix(declaration.inheritedFrom);
            for (const item of [
              ...(declaration.members ?? []),
              ...(declaration.attributes ?? []),
              ...(declaration.events ?? []),
            ]) {
              fix(item.inheritedFrom);
            }
          }
          for (const entry of module.exports ?? []) fix(entry.declaration);
        }
      },
    },
    {
      // Registration happens in define() and defineStage(), in loops the analyzer
      // does not follow: state each tag name → class as the modules that define them.
      name: 'callcaps-definitions',
      packageLinkPhase({ customElementsManifest }) {
        const modules = new Map(
          customElementsManifest.modules.flatMap((module) =>
            (module.declarations ?? []).filter((d) => d.customElement).map((d) => [d.name, module.path]),
          ),
        );
        for (const { path, tags } of definitions()) {
          customElementsManifest.modules.push({
            kind: 'javascript-module',
            path: shipped(path),
            declarations: [],
            exports: tags.map(({ tag, name }) => {
              const module = modules.get(name);
              if (!module) throw new Error(`custom-elements-manifest.config.mjs: <${tag}> is ${name}, which the manifest lacks`);
              return { kind: 'custom-element-definition', name: tag, declaration: { name, module } };
            }),
          });
        }
      },
    },
    {
      // The analyzer lists modules in the order its file walk finishes, which
      // varies from run to run; sort them so that the manifest is reproducible.
      name: 'callcaps-sort-modules',
      packageLinkPhase({ customElementsManifest }) {
        customElementsManifest.modules.sort((a, b) => a.path.localeCompare(b.path));
      },
    },
    // Framework typings: React 19, Preact, Solid, Vue, Svelte (types/).
    frameworkTypesPlugin({ outdir: join(outdir, 'types') }),
    // Editor data.
    customElementVsCodePlugin({
      outdir,
      htmlFileName: 'vscode.html-custom-data.json',
      cssFileName: 'vscode.css-custom-data.json',
      hideMethodDocs: true,
      hideLogs: true,
    }),
    customElementJetBrainsPlugin({
      outdir,
      webTypesFileName: 'web-types.json',
      packageJson: false,
      hideMethodDocs: true,
      hideLogs: true,
    }),
  ],
};
