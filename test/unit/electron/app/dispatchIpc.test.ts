import { describe, expect, it } from 'vitest';
import { dispatchIpc, type IpcHandlers } from '../../../../electron/app/dispatchIpc.js';
import { ErrorCode, TeraSyncError } from '../../../../shared/errors.js';
import type { AppOverview } from '../../../../shared/types.js';

const overview: AppOverview = {
  account: { user: 'alice', server: 'https://seto.teracloud.jp/dav/', method: 'basic' },
  pairs: [],
  settingsFile: '/s/settings.json',
  settingsProblem: null,
};

function handlers(getOverview: IpcHandlers['app:getOverview']): IpcHandlers {
  return { 'app:getOverview': getOverview };
}

describe('dispatchIpc', () => {
  it('answers the handler value as ok', async () => {
    const result = await dispatchIpc('app:getOverview', [undefined], handlers(() => Promise.resolve(overview)));
    expect(result).toEqual({ ok: true, value: overview });
  });

  it('accepts a call with no argument at all', async () => {
    const result = await dispatchIpc('app:getOverview', [], handlers(() => Promise.resolve(overview)));
    expect(result.ok).toBe(true);
  });

  it('refuses an invalid request without running the handler', async () => {
    let ran = false;
    const result = await dispatchIpc('app:getOverview', [{ evil: true }], handlers(() => {
      ran = true;
      return Promise.resolve(overview);
    }));
    expect(result).toEqual({ ok: false, error: { code: ErrorCode.InvalidRequest, message: 'Invalid app:getOverview request: expected no payload' } });
    expect(ran).toBe(false);
  });

  it('refuses extra arguments', async () => {
    const result = await dispatchIpc('app:getOverview', [undefined, 'more'], handlers(() => Promise.resolve(overview)));
    expect(!result.ok && result.error.message).toBe('Invalid app:getOverview request: expected one payload, got 2');
  });

  it('turns a thrown coded error into its code and message only', async () => {
    const result = await dispatchIpc('app:getOverview', [undefined], handlers(() => Promise.reject(new TeraSyncError(ErrorCode.LocalIo, 'disk on fire'))));
    expect(result).toEqual({ ok: false, error: { code: ErrorCode.LocalIo, message: 'disk on fire' } });
  });

  it('never lets a response that breaks the contract through', async () => {
    const leaky = { ...overview, account: { ...overview.account, password: 'hunter2' } };
    const result = await dispatchIpc('app:getOverview', [undefined], handlers(() => Promise.resolve(leaky)));
    expect(result).toEqual({
      ok: false,
      error: { code: ErrorCode.BadResponse, message: 'Invalid app:getOverview response: account.password: expected no such field' },
    });
  });
});
