import { describe, expect, it } from 'vitest';
import { exposeTeraSyncApi, type PreloadIpc } from '../../../../electron/preload/createTeraSyncApi.js';
import { ErrorCode } from '../../../../shared/errors.js';
import { ipcChannels, ipcEventNames, ipcEventSubscriptions, ipcMethods, type TeraSyncApi } from '../../../../shared/ipc/contract.js';
import { sampleActivityRun, samplePair, samplePairStatus } from '../../../support/ipc.js';

type Listener = (event: unknown, ...args: unknown[]) => void;

/** ipcRenderer as the preload sees it: records every call, lets the test send events. */
class FakeIpcRenderer implements PreloadIpc {
  readonly invoked: Array<{ channel: string; args: unknown[] }> = [];
  readonly listeners = new Map<string, Set<Listener>>();
  answer: (channel: string, args: unknown[]) => Promise<unknown> = () => Promise.resolve({ ok: true, value: undefined });

  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push({ channel, args });
    return this.answer(channel, args);
  }

  on(channel: string, listener: Listener): this {
    const set = this.listeners.get(channel) ?? new Set();
    set.add(listener);
    this.listeners.set(channel, set);
    return this;
  }

  removeListener(channel: string, listener: Listener): this {
    this.listeners.get(channel)?.delete(listener);
    return this;
  }

  /** What Electron does when main sends: the listener gets an IpcRendererEvent first. */
  send(channel: string, ...args: unknown[]): void {
    const event = { sender: this, senderId: 0, ports: [] };
    for (const listener of [...(this.listeners.get(channel) ?? [])]) listener(event, ...args);
  }

  listenerCount(channel: string): number {
    return this.listeners.get(channel)?.size ?? 0;
  }
}

function expose(): { ipc: FakeIpcRenderer; api: TeraSyncApi; exposed: Array<{ key: string; api: unknown }> } {
  const ipc = new FakeIpcRenderer();
  const exposed: Array<{ key: string; api: unknown }> = [];
  exposeTeraSyncApi({ exposeInMainWorld: (key, api) => exposed.push({ key, api }) }, ipc);
  return { ipc, api: exposed[0]!.api as TeraSyncApi, exposed };
}

describe('the preload', () => {
  it('exposes window.terasync once, with exactly one function per method and one subscription per event', () => {
    const { exposed, api } = expose();
    expect(exposed.map((item) => item.key)).toEqual(['terasync']);
    const expected = [...Object.values(ipcMethods), ...Object.values(ipcEventSubscriptions)].sort();
    expect(Object.keys(api).sort()).toEqual(expected);
    for (const value of Object.values(api)) expect(value).toBeTypeOf('function');
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('hands over nothing of Electron', () => {
    const { api, ipc } = expose();
    for (const value of Object.values(api)) expect(value).not.toBe(ipc);
    expect(Object.getPrototypeOf(api)).toBe(Object.prototype);
  });

  it.each(ipcChannels)('sends %s on its channel with exactly one argument', async (channel) => {
    const { api, ipc } = expose();
    const method = api[ipcMethods[channel]] as (request?: unknown) => Promise<unknown>;
    const request = { id: 'pair-1' };
    await method(request);
    await method();
    expect(ipc.invoked).toEqual([
      { channel, args: [request] },
      { channel, args: [undefined] },
    ]);
  });

  it('answers what main answered', async () => {
    const { api, ipc } = expose();
    ipc.answer = (channel) => Promise.resolve(channel === 'pairs:add' ? { ok: true, value: samplePair() } : { ok: false, error: { code: ErrorCode.NotFound, message: 'x' } });
    expect(await api.addPair({ localFolder: '/a', remoteFolder: '' })).toEqual({ ok: true, value: samplePair() });
    expect(await api.pausePair({ id: 'p' })).toEqual({ ok: false, error: { code: ErrorCode.NotFound, message: 'x' } });
  });

  it('answers a Result, not an exception, when main never answers', async () => {
    const { api, ipc } = expose();
    ipc.answer = () => Promise.reject(new Error("Error invoking remote method 'status:get': No handler registered"));
    expect(await api.getStatus()).toEqual({
      ok: false,
      error: { code: ErrorCode.BadResponse, message: "TeraSync's background process did not answer (status:get)." },
    });
  });

  it('calls back with the payload alone, never the IpcRendererEvent', () => {
    const { api, ipc } = expose();
    const calls: unknown[][] = [];
    api.onStatusChanged((...args: unknown[]) => calls.push(args));
    const payload = samplePairStatus();
    ipc.send('status:changed', payload);
    expect(calls).toEqual([[payload]]);
  });

  it.each(ipcEventNames)('subscribes to %s on its channel and unsubscribes', (event) => {
    const { api, ipc } = expose();
    const subscribe = api[ipcEventSubscriptions[event]] as (callback: (payload: unknown) => void) => () => void;
    const heard: unknown[] = [];
    const unsubscribe = subscribe((payload) => heard.push(payload));
    expect(ipc.listenerCount(event)).toBe(1);
    ipc.send(event, 'first');
    unsubscribe();
    unsubscribe();
    ipc.send(event, 'second');
    expect(heard).toEqual(['first']);
    expect(ipc.listenerCount(event)).toBe(0);
  });

  it('keeps two subscriptions of the same callback apart', () => {
    const { api, ipc } = expose();
    const heard: unknown[] = [];
    const callback = (payload: unknown): void => {
      heard.push(payload);
    };
    const first = api.onActivityRunAdded(callback);
    api.onActivityRunAdded(callback);
    first();
    ipc.send('activity:runAdded', sampleActivityRun());
    expect(heard).toEqual([sampleActivityRun()]);
  });

  it('refuses a callback that is not a function', () => {
    const { api } = expose();
    expect(() => (api.onSettingsChanged as (callback: unknown) => void)('alert(1)')).toThrow('onSettingsChanged takes a function');
  });
});
