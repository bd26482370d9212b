/**
 * Every refusal of every IPC validator names a field and what was expected there, never the
 * value it refused: a value may be a password or a token, and refusals are logged. The cases
 * are made from the good payloads of each channel and event: each field in turn (and each
 * field of a nested object) is given a secret too long for any bound, an object and a list
 * holding a secret, and NaN; a field the contract does not have, holding a secret, is added as
 * well.
 */
import { describe, expect, it } from 'vitest';
import { ipcChannels, ipcEventNames } from '../../../../shared/ipc/contract.js';
import { validateEvent, validateRequest, validateResponse } from '../../../../shared/ipc/schemas.js';
import { goodEvents, goodRequests, goodResponses } from '../../../support/ipc.js';

const secret = 'hunter2-secret';

/** Values a field may be given that no schema of ours accepts where a string, number or list belongs. */
const wrongValues: readonly unknown[] = [
  `${secret}-${'x'.repeat(40_000)}`,
  { token: secret },
  [secret, secret],
  Number.NaN,
];

/** The good payload with one field (at any depth of plain objects) replaced, for every field and wrong value. */
function variants(payload: unknown): unknown[] {
  if (typeof payload !== 'object' || payload === null) return [];
  if (Array.isArray(payload)) return payload.length === 0 ? [] : variants(payload[0]).map((item) => [item, ...payload.slice(1)]);
  const record = payload as Record<string, unknown>;
  const out: unknown[] = [{ ...record, extraField: secret }];
  for (const [key, value] of Object.entries(record)) {
    if (value === secret) continue;
    for (const wrong of wrongValues) out.push({ ...record, [key]: wrong });
    for (const inner of variants(value)) out.push({ ...record, [key]: inner });
  }
  return out;
}

function refusals(results: ReadonlyArray<{ ok: boolean; error?: { message: string } }>): string[] {
  return results.flatMap((result) => (result.ok ? [] : [result.error?.message ?? '']));
}

describe('IPC refusals never quote the value', () => {
  it.each(ipcChannels)('%s: requests and responses', (channel) => {
    const requestMessages = refusals(variants(goodRequests[channel]()).map((value) => validateRequest(channel, value)));
    const responseMessages = refusals(variants(goodResponses[channel]()).map((value) => validateResponse(channel, value)));
    const messages = [...requestMessages, ...responseMessages];
    for (const message of messages) {
      expect(message).not.toContain('hunter2');
      expect(message).toMatch(/: expected /);
    }
    // The field added is refused wherever a payload is an object.
    if (typeof goodRequests[channel]() === 'object') expect(requestMessages).toContain(`Invalid ${channel} request: extraField: expected no such field`);
  });

  it.each(ipcEventNames)('%s: events', (event) => {
    const payload = goodEvents[event]();
    const messages = refusals(variants(payload).map((value) => validateEvent(event, value)));
    // A null payload (account:changed, signed out) has no field to vary; any other is refused the added field.
    if (typeof payload === 'object' && payload !== null && !Array.isArray(payload)) {
      expect(messages).toContain(`Invalid ${event} event: extraField: expected no such field`);
    }
    for (const message of messages) {
      expect(message).not.toContain('hunter2');
      expect(message).toMatch(/: expected /);
    }
  });
});
