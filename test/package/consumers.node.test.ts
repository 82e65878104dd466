// callcaps as people install it: `npm pack` of the package (after the build),
// installed from the tarball into a fresh consumer project, then used from
// React 19, Preact, Solid, Vue (strictTemplates) and Svelte 5 files that the
// frameworks' own checkers (tsc, vue-tsc, svelte-check) type-check through the
// shipped typings of `callcaps/types/<framework>`. Each framework has a file
// that must pass and one whose every marked line must fail (a wrong `gating`,
// a field that no event detail has). The framework tooling comes from this
// repository's devDependencies, linked into the consumer: only callcaps
// itself is installed from the tarball.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { consumerProject, pack, ROOT, run, write } from './pack.js';

/** The framework tooling, linked from the repository's node_modules. */
const LINKED = ['typescript', '@types/react', 'preact', 'solid-js', 'vue', 'vue-tsc', 'svelte', 'svelte-check'];

let work: string;
let consumer: string;

type Result = { status: number | null; output: string };

/** Runs a bin of a linked package with Node, in the background (the checkers run side by side). */
function bin(pkg: string, name: string, args: string[], cwd: string): Promise<Result> {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8'));
  const path = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin[name];
  const child = spawn(process.execPath, [join(ROOT, 'node_modules', pkg, path), ...args], {
    cwd,
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (status) => done({ status, output }));
  });
}

/** Lines of `file` marked `// error` (or `<!-- error -->`): each must fail, and nothing else may. */
const markedLines = (text: string) =>
  text.split('\n').flatMap((line, index) => (/(\/\/|\/\*|<!--) error\b/.test(line) ? [index + 1] : []));

/**
 * Asserts that the checker failed exactly on the marked lines of the bad file
 * (none in the good one, none in any .d.ts) and that its output says `expect`.
 */
function assertOnlyMarkedErrors(
  result: Result,
  errors: { file: string; line: number; message: string }[],
  dir: string,
  goodFile: string,
  badFile: string,
  expect: RegExp[],
) {
  assert.notEqual(result.status, 0, result.output);
  const expected = markedLines(readFileSync(join(dir, badFile), 'utf8'));
  assert.ok(expected.length > 0, `${badFile} marks no line`);
  const inFiles = errors.filter((e) => e.file === goodFile || e.file === badFile);
  assert.deepEqual(
    [...new Set(inFiles.map((e) => `${e.file}:${e.line}`))].sort(),
    expected.map((line) => `${badFile}:${line}`).sort(),
    result.output,
  );
  // Any error elsewhere (another framework's files are checked apart) fails too.
  assert.deepEqual(errors.filter((e) => !/\.(tsx|vue|svelte)$/.test(e.file)), [], result.output);
  const messages = inFiles.map((e) => e.message).join('\n');
  for (const pattern of expect) assert.match(messages, pattern);
}

/** `file(line,col): error TS…` lines of tsc and vue-tsc (with --pretty false). */
const tscErrors = (output: string, dir: string) =>
  [...output.matchAll(/^(.+?)\((\d+),\d+\): error TS\d+: (.*)$/gm)].map(([, file, line, message]) => ({
    file: resolve(dir, file).slice(dir.length + 1),
    line: Number(line),
    message,
  }));

before(() => {
  work = mkdtempSync(join(tmpdir(), 'callcaps-consumers-'));
  consumer = join(work, 'app');
  // --ignore-scripts: nothing of the consumer's needs to run; the lockfile still marks install scripts.
  consumerProject(consumer, [pack(work)], LINKED, ['--ignore-scripts']);
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed callcaps package', () => {
  test('installs with lit and rxjs as its only dependencies, nothing to compile', () => {
    const lock = JSON.parse(readFileSync(join(consumer, 'package-lock.json'), 'utf8'));
    const callcaps = lock.packages['node_modules/callcaps'];
    assert.deepEqual(Object.keys(callcaps.dependencies ?? {}).sort(), ['lit', 'rxjs']);
    const scripted = Object.entries(lock.packages as Record<string, { hasInstallScript?: boolean }>)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path]) => path);
    assert.deepEqual(scripted, []);
    // The server is @callcaps/server's: nothing of it (a stale build included) is in this package.
    assert.equal(existsSync(join(consumer, 'node_modules', 'callcaps', 'dist', 'server')), false);
  });

  test('source maps carry their sources (src/ is not shipped), and the package has its licence', () => {
    const dir = join(consumer, 'node_modules', 'callcaps');
    assert.ok(existsSync(join(dir, 'LICENSE')));
    assert.equal(existsSync(join(dir, 'src')), false);
    const maps = readdirSync(join(dir, 'dist'), { recursive: true }).map(String).filter((file) => file.endsWith('.map'));
    assert.ok(maps.length > 10, `${maps.length} maps`);
    for (const file of maps) {
      const map = JSON.parse(readFileSync(join(dir, 'dist', file), 'utf8'));
      assert.equal(map.sourcesContent?.length, map.sources.length, file);
      assert.ok(map.sourcesContent.every((text: unknown) => typeof text === 'string'), file);
    }
  });

  test('ships its manifest, typings and editor data, named in package.json', () => {
    const dir = join(consumer, 'node_modules', 'callcaps');
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const file of [pkg.customElements, pkg['web-types'], 'vscode.html-custom-data.json', 'vscode.css-custom-data.json']) {
      assert.ok(existsSync(join(dir, file)), file);
    }
    const manifest = JSON.parse(readFileSync(join(dir, pkg.customElements), 'utf8'));
    const paths = manifest.modules.map((module: { path: string }) => module.path);
    for (const path of paths) assert.ok(existsSync(join(dir, path)), `the manifest names ${path}, which is not shipped`);
    const definitions = manifest.modules.flatMap((module: { exports?: { kind: string; name: string }[] }) =>
      (module.exports ?? []).filter((entry) => entry.kind === 'custom-element-definition').map((entry) => entry.name),
    );
    assert.deepEqual(definitions.sort(), ['call-controls', 'call-stage', 'capability-gate', 'permissions-panel', 'waiting-room']);
  });

  test('the classic script resolves through ./iife (require and import), ./bundle too, and unpkg/jsdelivr name it', () => {
    const require = createRequire(join(consumer, 'package.json'));
    const dir = join(consumer, 'node_modules', 'callcaps');
    assert.equal(require.resolve('callcaps/iife'), join(dir, 'dist', 'callcaps.iife.js'));
    assert.equal(require.resolve('callcaps/bundle'), join(dir, 'dist', 'callcaps.bundle.js'));
    const imported = run(process.execPath, ['--input-type=module', '-e', "console.log(import.meta.resolve('callcaps/iife'))"], consumer);
    assert.equal(imported.output.trim(), `file://${join(dir, 'dist', 'callcaps.iife.js')}`);
    assert.match(readFileSync(require.resolve('callcaps/iife'), 'utf8'), /\bCallcaps\b/);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    assert.equal(resolve(dir, pkg.unpkg), join(dir, 'dist', 'callcaps.iife.js'));
    assert.equal(resolve(dir, pkg.jsdelivr), join(dir, 'dist', 'callcaps.iife.js'));
  });
});


const COMPILER_OPTIONS = {
  target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', lib: ['ES2022', 'DOM', 'DOM.Iterable'],
  strict: true, noEmit: true, types: [],
  // The shipped typings are checked too (the frameworks' own declarations are clean).
  skipLibCheck: false,
};

const GATING_ERROR = /Type '"Gating"' is not assignable to type '"hide" \| "disable"/;
const REQUIRE_ERROR = /Type '"most"' is not assignable to type '"all" \| "any"/;
const DETAIL_ERROR = /Property 'nope' does not exist on type 'CallcapsActionDetail'/;

/** The JSX frameworks in one tsc program: each file names its own with `@jsxImportSource`. */
function jsxFiles(framework: 'react' | 'preact' | 'solid-js', typings: string, eventProp: string, classProp: string) {
  const head = `/** @jsxImportSource ${framework} */\nimport type {} from '${typings}';\nimport type { Call, CallcapsActionDetail } from 'callcaps/core';\ndeclare const call: Call;\n`;
  return {
    good: `${head}const onAction = (event: CustomEvent<CallcapsActionDetail>) => console.log(event.detail.action, event.detail.args);
export const App = () => (
  <div ${classProp}="call">
    <call-controls call={call} gating="disable" variant="compact" theme="dark" controls="mic camera" strings={{ mic: 'Micro' }} />
    <call-controls ${eventProp}callcaps-action={onAction} ${eventProp}callcaps-error={(event) => console.log(event.detail.error)} />
    <permissions-panel call={call} gating="hide" />
    <waiting-room call={call} room-name="Lobby" name="Ada" />
    <capability-gate capability="member.remove" require="any" mode="can-request" capabilities={call.capabilities}>
      <button>Remove</button>
      <span slot="fallback">Ask a host</span>
    </capability-gate>
    <call-stage id="stage" call={call} layout="grid" />
  </div>
);
`,
    bad: `${head}export const App = () => (
  <div>
    <call-controls call={call} gating="Gating" /> {/* error */}
    <capability-gate require="most" /> {/* error */}
    <call-controls ${eventProp}callcaps-action={(event) => event.detail.nope} /> {/* error */}
  </div>
);
`,
  };
}

describe('framework typings from the tarball', () => {
  let jsx: Promise<Result>;
  let vue: Promise<Result>;
  let svelte: Promise<Result>;
  const dirs = { jsx: '', vue: '', svelte: '' };

  before(() => {
    dirs.jsx = join(consumer, 'jsx');
    const react = jsxFiles('react', 'callcaps/types/react', 'on', 'className');
    const preact = jsxFiles('preact', 'callcaps/types/preact', 'on', 'class');
    const solid = jsxFiles('solid-js', 'callcaps/types/solid', 'on:', 'class');
    write(dirs.jsx, {
      'tsconfig.json': JSON.stringify({ compilerOptions: { ...COMPILER_OPTIONS, jsx: 'react-jsx' }, include: ['*.tsx'] }),
      'react-good.tsx': react.good, 'react-bad.tsx': react.bad,
      'preact-good.tsx': preact.good, 'preact-bad.tsx': preact.bad,
      'solid-good.tsx': solid.good, 'solid-bad.tsx': solid.bad,
    });

    dirs.vue = join(consumer, 'vue');
    const vueScript = `<script setup lang="ts">
import type { Call, CallcapsActionDetail } from 'callcaps/core';
const props = defineProps<{ call: Call }>();
const onAction = (event: CustomEvent<CallcapsActionDetail>) => console.log(event.detail.action);
</script>
`;
    write(dirs.vue, {
      'tsconfig.json': JSON.stringify({
        compilerOptions: { ...COMPILER_OPTIONS, jsx: 'preserve' },
        vueCompilerOptions: { strictTemplates: true },
        include: ['*.ts', '*.vue'],
      }),
      'callcaps.d.ts': `import type {} from 'callcaps/types/vue';\n`,
      'Good.vue': `${vueScript}<template>
  <call-controls :call="props.call" gating="disable" variant="compact" theme="dark" :strings="{ mic: 'Micro' }" @callcaps-action="onAction" />
  <permissions-panel :call="props.call" gating="hide" @callcaps-error="(event) => console.log(event.detail.error)" />
  <waiting-room :call="props.call" room-name="Lobby" name="Ada" />
  <capability-gate capability="member.remove" require="any" mode="can-request" :capabilities="props.call.capabilities">
    <button>Remove</button>
  </capability-gate>
  <call-stage id="stage" class="stage" :call="props.call" layout="grid" />
</template>
`,
      'Bad.vue': `${vueScript}<template>
  <call-controls :call="props.call" gating="Gating" /> <!-- error -->
  <capability-gate require="most" /> <!-- error -->
  <call-controls @callcaps-action="(event) => event.detail.nope" /> <!-- error -->
  <call-controls @callcaps-action="onAction" />
</template>
`,
    });

    dirs.svelte = join(consumer, 'svelte');
    const svelteScript = `<script lang="ts">
  import type { Call, CallcapsActionDetail } from 'callcaps/core';
  let { call }: { call: Call } = $props();
  const onAction = (event: CustomEvent<CallcapsActionDetail>) => console.log(event.detail.action);
</script>
`;
    write(dirs.svelte, {
      'tsconfig.json': JSON.stringify({
        compilerOptions: { ...COMPILER_OPTIONS, verbatimModuleSyntax: true },
        include: ['*.ts', '*.svelte'],
      }),
      'callcaps.d.ts': `import type {} from 'callcaps/types/svelte';\n`,
      'Good.svelte': `${svelteScript}
<call-controls {call} gating="disable" variant="compact" theme="dark" strings={{ mic: 'Micro' }} oncallcaps-action={onAction}></call-controls>
<permissions-panel {call} gating="hide" oncallcaps-error={(event) => console.log(event.detail.error)}></permissions-panel>
<waiting-room {call} room-name="Lobby" name="Ada"></waiting-room>
<capability-gate capability="member.remove" require="any" mode="can-request" capabilities={call.capabilities}>
  <button>Remove</button>
  <span slot="fallback">Ask a host</span>
</capability-gate>
<call-stage id="stage" {call} layout="grid"></call-stage>
`,
      'Bad.svelte': `${svelteScript}
<call-controls {call} gating="Gating"></call-controls> <!-- error -->
<capability-gate require="most"></capability-gate> <!-- error -->
<call-controls oncallcaps-action={(event) => event.detail.nope}></call-controls> <!-- error -->
<call-controls oncallcaps-action={onAction}></call-controls>
`,
    });

    jsx = bin('typescript', 'tsc', ['-p', 'tsconfig.json', '--pretty', 'false'], dirs.jsx);
    vue = bin('vue-tsc', 'vue-tsc', ['-p', 'tsconfig.json', '--pretty', 'false'], dirs.vue);
    svelte = bin('svelte-check', 'svelte-check', ['--tsconfig', './tsconfig.json', '--output', 'machine', '--threshold', 'error'], dirs.svelte);
  });

  for (const [name, prefix] of [['React 19', 'react'], ['Preact', 'preact'], ['Solid', 'solid']] as const) {
    test(`${name}: TSX type-checks with correct props and events, fails on a wrong gating`, async () => {
      const result = await jsx;
      const errors = tscErrors(result.output, dirs.jsx).filter((e) => !e.file.endsWith('.tsx') || e.file.startsWith(`${prefix}-`));
      assertOnlyMarkedErrors(result, errors, dirs.jsx, `${prefix}-good.tsx`, `${prefix}-bad.tsx`, [GATING_ERROR, REQUIRE_ERROR, DETAIL_ERROR]);
    });
  }

  test('Vue with strictTemplates: SFCs type-check with correct props and events, fail on a wrong gating', async () => {
    const result = await vue;
    assertOnlyMarkedErrors(result, tscErrors(result.output, dirs.vue), dirs.vue, 'Good.vue', 'Bad.vue', [GATING_ERROR, REQUIRE_ERROR, DETAIL_ERROR]);
  });

  test('Svelte 5: components type-check with correct props and events, fail on a wrong gating', async () => {
    const result = await svelte;
    // Machine output: `<time> ERROR "Bad.svelte" <line>:<col> "<message, quotes escaped>"`.
    const errors = [...result.output.matchAll(/^\d+ ERROR "(.+?)" (\d+):\d+ "(.*)"$/gm)].map(([, file, line, message]) => ({
      file,
      line: Number(line),
      message: message.replace(/\\"/g, '"'),
    }));
    assertOnlyMarkedErrors(result, errors, dirs.svelte, 'Good.svelte', 'Bad.svelte', [GATING_ERROR, REQUIRE_ERROR, DETAIL_ERROR]);
  });
});
