import { describe, expect, it } from 'vitest';
import { dispatchIpc } from '../../../../electron/app/dispatchIpc.js';
import { ErrorCode, TeraSyncError } from '../../../../shared/errors.js';
import type { IpcChannel } from '../../../../shared/ipc/contract.js';
import { fakeHandlers, sampleAccount, sampleOverview, samplePair } from '../../../support/ipc.js';

function recordInternalErrors(): { errors: Array<{ channel: IpcChannel; error: unknown }>; onInternalError: (channel: IpcChannel, error: unknown) => void } {
  const errors: Array<{ channel: IpcChannel; error: unknown }> = [];
  return { errors, onInternalError: (channel, error) => errors.push({ channel, error }) };
}

describe('dispatchIpc', () => {
  it('answers the handler value as ok', async () => {
    const result = await dispatchIpc('app:getOverview', [undefined], fakeHandlers());
    expect(result).toEqual({ ok: true, value: sampleOverview() });
  });

  it('accepts a call with no argument at all', async () => {
    const result = await dispatchIpc('app:getOverview', [], fakeHandlers());
    expect(result.ok).toBe(true);
  });

  it('hands the handler the validated copy of the request', async () => {
    const seen: unknown[] = [];
    const request = { localFolder: '/home/alice/Sync', remoteFolder: 'Sync' };
    const result = await dispatchIpc('pairs:add', [request], fakeHandlers({
      'pairs:add': (value) => {
        seen.push(value);
        return Promise.resolve({ ...samplePair(), ...value });
      },
    }));
    expect(seen).toEqual([request]);
    expect(seen[0]).not.toBe(request);
    expect(result).toEqual({ ok: true, value: { ...samplePair(), ...request } });
  });

  it('answers a method without response with an ok and no value', async () => {
    expect(await dispatchIpc('pairs:syncNow', [{ id: 'pair-1' }], fakeHandlers())).toEqual({ ok: true, value: undefined });
  });

  it('refuses an invalid request without running the handler', async () => {
    let ran = false;
    const result = await dispatchIpc('app:getOverview', [{ evil: true }], fakeHandlers({
      'app:getOverview': () => {
        ran = true;
        return Promise.resolve(sampleOverview());
      },
    }));
    expect(result).toEqual({ ok: false, error: { code: ErrorCode.InvalidRequest, message: 'Invalid app:getOverview request: expected no payload' } });
    expect(ran).toBe(false);
  });

  it('refuses a request that breaks the contract deep down, naming the field', async () => {
    let ran = false;
    const result = await dispatchIpc('restore:run', [{ source: 'Photos', to: 'relative/folder' }], fakeHandlers({
      'restore:run': () => {
        ran = true;
        throw new Error('must not run');
      },
    }));
    expect(result).toEqual({ ok: false, error: { code: ErrorCode.InvalidRequest, message: 'Invalid restore:run request: to: expected an absolute path' } });
    expect(ran).toBe(false);
  });

  it('refuses extra arguments', async () => {
    const result = await dispatchIpc('app:getOverview', [undefined, 'more'], fakeHandlers());
    expect(!result.ok && result.error.message).toBe('Invalid app:getOverview request: expected one payload, got 2');
  });

  it('turns a thrown coded error into its code and message only', async () => {
    const result = await dispatchIpc('app:getOverview', [undefined], fakeHandlers({
      'app:getOverview': () => Promise.reject(new TeraSyncError(ErrorCode.LocalIo, 'disk on fire', { cause: new Error('EIO /secret/path') })),
    }));
    expect(result).toEqual({ ok: false, error: { code: ErrorCode.LocalIo, message: 'disk on fire' } });
  });

  it('turns a handler that throws synchronously into a Result too', async () => {
    const result = await dispatchIpc('pairs:pause', [{ id: 'pair-1' }], fakeHandlers({
      'pairs:pause': () => {
        throw new TeraSyncError(ErrorCode.NotFound, 'There is no such pair.');
      },
    }));
    expect(result).toEqual({ ok: false, error: { code: ErrorCode.NotFound, message: 'There is no such pair.' } });
  });

  it('tells the log every coded failure with its message, which the window keeps behind its details', async () => {
    const failures: Array<{ channel: IpcChannel; code: string; message: string }> = [];
    const result = await dispatchIpc(
      'account:get',
      [undefined],
      fakeHandlers({
        'account:get': () => Promise.reject(new TeraSyncError(ErrorCode.Network, 'PROPFIND https://seto.teracloud.jp/dav/ failed (ECONNREFUSED)')),
      }),
      { onFailure: (channel, error) => failures.push({ channel, ...error }) },
    );
    expect(result).toEqual({ ok: false, error: { code: ErrorCode.Network, message: 'PROPFIND https://seto.teracloud.jp/dav/ failed (ECONNREFUSED)' } });
    expect(failures).toEqual([{ channel: 'account:get', code: ErrorCode.Network, message: 'PROPFIND https://seto.teracloud.jp/dav/ failed (ECONNREFUSED)' }]);
  });

  it('answers anything else thrown with a generic Internal error, and tells the log', async () => {
    const { errors, onInternalError } = recordInternalErrors();
    const bug = new Error('connect ECONNREFUSED https://alice:hunter2@seto.teracloud.jp/dav/');
    for (const thrown of [bug, 'a string', { token: 'abc' }, undefined]) {
      const result = await dispatchIpc('account:get', [undefined], fakeHandlers({ 'account:get': () => Promise.reject(thrown) }), { onInternalError });
      expect(result).toEqual({
        ok: false,
        error: { code: ErrorCode.Internal, message: 'TeraSync ran into an unexpected problem (account:get). The details are in the log.' },
      });
      expect(JSON.stringify(result)).not.toMatch(/hunter2|abc|ECONNREFUSED/);
    }
    expect(errors.map((entry) => entry.error)).toEqual([bug, 'a string', { token: 'abc' }, undefined]);
    expect(errors.every((entry) => entry.channel === 'account:get')).toBe(true);
  });

  it('never lets a response that breaks the contract through', async () => {
    const { errors, onInternalError } = recordInternalErrors();
    const leaky = { ...sampleAccount(), password: 'hunter2' };
    const result = await dispatchIpc('account:get', [undefined], fakeHandlers({ 'account:get': () => Promise.resolve(leaky) }), { onInternalError });
    expect(result).toEqual({
      ok: false,
      error: { code: ErrorCode.BadResponse, message: 'Invalid account:get response: password: expected no such field' },
    });
    expect(errors).toHaveLength(1);
  });

  it('refuses a response given to a method that answers nothing', async () => {
    const result = await dispatchIpc('shell:openUrl', [{ url: 'https://www.teracloud.jp/' }], fakeHandlers({
      'shell:openUrl': () => Promise.resolve({ opened: true } as unknown as undefined),
    }));
    expect(!result.ok && result.error.code).toBe(ErrorCode.BadResponse);
  });
});
