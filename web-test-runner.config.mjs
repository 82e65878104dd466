// Browser suites: every test/**/*.test.ts except the Node ones (*.node.test.ts),
// compiled from the sources by esbuild and run in Debian's Chromium.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter, summaryReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';
import { countingReporter } from './scripts/counting-reporter.mjs';
import { chromiumArgs, chromiumPath } from './scripts/chromium.mjs';

export default {
  files: ['test/**/*.test.ts', '!test/**/*.node.test.ts'],
  // Lit's development build reports misuse (class-field shadowing and so on).
  nodeResolve: { exportConditions: ['development'] },
  plugins: [esbuildPlugin({ ts: true, tsconfig: './tsconfig.json', target: 'es2022' })],
  browsers: [
    chromeLauncher({
      launchOptions: { executablePath: chromiumPath(), headless: true, args: chromiumArgs() },
    }),
  ],
  concurrency: 1,
  testFramework: { config: { timeout: 10000 } },
  reporters: [defaultReporter(), summaryReporter({ flatten: false }), countingReporter('test-output/browser-counts.json')],
};
