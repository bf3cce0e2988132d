import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { ConfigError } from '../../src/config/env';
import { createLogger } from '../../src/logging';
import { workflowBundleForWorker } from '../../src/worker/workflow-bundle';

describe('WORKFLOW_BUNDLE_PATH', () => {
  const logger = createLogger('test');

  test('a bundle at the path is used as it is', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'bundle-')), 'workflow-bundle.js');
    writeFileSync(file, '// bundle');
    expect(await workflowBundleForWorker(logger, { WORKFLOW_BUNDLE_PATH: file })).toEqual({ codePath: file });
  });

  test('a path with no bundle stops the worker with the variable named', async () => {
    const missing = workflowBundleForWorker(logger, { WORKFLOW_BUNDLE_PATH: path.join(os.tmpdir(), 'no-such-dir', 'bundle.js') });
    await expect(missing).rejects.toBeInstanceOf(ConfigError);
    await expect(missing).rejects.toThrow(/^WORKFLOW_BUNDLE_PATH: no workflow bundle at /);
  });
});

describe('what every workflow evaluates', () => {
  /**
   * The modules the workflow code imports for their values, from `src/workflows/index.ts` on: the
   * sandbox evaluates each of them once per workflow in the cache. Type-only imports are erased.
   */
  function evaluatedImports(): { files: Set<string>; packages: Set<string> } {
    const files = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (files.has(file)) return;
      files.add(file);
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
      for (const statement of source.statements) {
        const specifier = (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier;
        if (!specifier || !ts.isStringLiteral(specifier) || typeOnly(statement as ts.ImportDeclaration | ts.ExportDeclaration)) continue;
        if (specifier.text.startsWith('.')) visit(`${path.resolve(path.dirname(file), specifier.text)}.ts`);
        else packages.add(specifier.text);
      }
    };
    visit(path.resolve(__dirname, '../../src/workflows/index.ts'));
    return { files, packages };
  }

  function typeOnly(statement: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
    if (ts.isExportDeclaration(statement)) return statement.isTypeOnly;
    const clause = statement.importClause;
    if (!clause) return false; // an import for its effects
    if (clause.isTypeOnly) return true;
    const named = clause.namedBindings;
    return clause.name === undefined && named !== undefined && ts.isNamedImports(named) && named.elements.every((element) => element.isTypeOnly);
  }

  test('zod is not among them: only a continued run, restoring its state, requires the schema', () => {
    const { files, packages } = evaluatedImports();
    expect([...packages].filter((name) => !name.startsWith('@temporalio/'))).toEqual([]);
    expect([...files].map((file) => path.basename(file))).not.toContain('meeting-state-schema.ts');
    expect(files.size).toBeGreaterThan(10); // the walk found the workflow's modules
  });
});
