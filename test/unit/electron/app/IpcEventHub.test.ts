import { describe, expect, it } from 'vitest';
import { IpcEventHub } from '../../../../electron/app/IpcEventHub.js';
import type { IpcEventMessage } from '../../../../shared/ipc/contract.js';
import { sampleActivityRun, samplePairStatus } from '../../../support/ipc.js';

describe('IpcEventHub', () => {
  it('delivers a valid event to every subscriber, as a copy', () => {
    const hub = new IpcEventHub();
    const first: IpcEventMessage[] = [];
    const second: IpcEventMessage[] = [];
    hub.subscribe((message) => first.push(message));
    hub.subscribe((message) => second.push(message));
    const payload = samplePairStatus();
    expect(hub.emit('status:changed', payload)).toEqual({ ok: true, value: payload });
    expect(first).toEqual([{ event: 'status:changed', payload }]);
    expect(second).toEqual(first);
    expect(first[0]!.payload).not.toBe(payload);
  });

  it('drops an invalid payload and reports it, so nothing half-right reaches the window', () => {
    const invalid: string[] = [];
    const hub = new IpcEventHub({ onInvalid: (event, message) => invalid.push(`${event}: ${message}`) });
    const heard: IpcEventMessage[] = [];
    hub.subscribe((message) => heard.push(message));
    const leaky = { ...sampleActivityRun(), accessToken: 'secret' };
    const result = hub.emit('activity:runAdded', leaky);
    expect(result.ok).toBe(false);
    expect(heard).toEqual([]);
    expect(invalid).toEqual(['activity:runAdded: Invalid activity:runAdded event: accessToken: expected no such field']);
  });

  it('stops delivering after dispose, and a throwing subscriber does not silence the others', () => {
    const errors: unknown[] = [];
    const hub = new IpcEventHub({ onListenerError: (_event, error) => errors.push(error) });
    const heard: string[] = [];
    hub.subscribe(() => {
      throw new Error('listener bug');
    });
    const subscription = hub.subscribe((message) => heard.push(message.event));
    hub.emit('account:changed', null);
    subscription.dispose();
    subscription.dispose();
    hub.emit('account:changed', null);
    expect(heard).toEqual(['account:changed']);
    expect(errors).toHaveLength(2);
    expect(hub.listenerCount).toBe(1);
  });
});
