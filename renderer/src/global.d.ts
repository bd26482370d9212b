import type { TeraSyncApi } from '../../shared/ipc/contract.js';

declare global {
  interface Window {
    /** Set by electron/preload; missing when the page is opened anywhere but TeraSync's window. */
    readonly terasync?: TeraSyncApi;
  }
}

export {};
