/**
 * What validating a large IPC payload costs (shared/ipc/schemas.ts): the largest activity page
 * the contract allows, the activity history file at its largest, a settings update with every
 * ignore pattern settings.json may hold.
 *
 *   npx vitest bench --run bench/ipcValidation.bench.ts
 *
 * It uses only the exported validators, so the same file measures an older checkout too.
 */
import { bench, describe } from 'vitest';
import { validateActivityRuns, validateRequest, validateResponse } from '../shared/ipc/schemas.js';

const kinds = ['addedRemote', 'updatedRemote', 'addedLocal', 'updatedLocal', 'deletedRemote', 'deletedLocal', 'moved', 'conflict', 'failed'] as const;

/** A run with a full group of every kind: 9 x 50 files. */
function fullRun(id: number): unknown {
  return {
    id,
    pairId: 'pair-1',
    startedAt: 1_764_000_000_000,
    endedAt: 1_764_000_004_000,
    outcome: 'completed',
    groups: kinds.map((kind) => ({
      kind,
      count: 50,
      files: Array.from({ length: 50 }, (_, index) => ({
        path: `Reports/2025/q${index}.pdf`,
        from: kind === 'moved' ? `Old/q${index}.pdf` : null,
        error: kind === 'failed' ? { code: 'LocalIo', message: 'Permission denied' } : null,
      })),
    })),
  };
}

const page = { runs: Array.from({ length: 100 }, (_, index) => fullRun(index + 1)), more: true };
const history = Array.from({ length: 500 }, (_, index) => fullRun(index + 1));
const patterns = { sync: { ignorePatterns: Array.from({ length: 1_000 }, (_, index) => `*.tmp${index}`) } };

function accepted(result: { ok: boolean }): void {
  if (!result.ok) throw new Error('the payload was refused');
}

describe('IPC validation', () => {
  bench('activity:list response: 100 runs x 9 groups x 50 files', () => accepted(validateResponse('activity:list', page)), { iterations: 20 });
  bench('validateActivityRuns: 500 runs (the history file at its largest)', () => accepted(validateActivityRuns(history)), { iterations: 5 });
  bench('settings:update request: 1,000 ignore patterns', () => accepted(validateRequest('settings:update', patterns)));
});
