/**
 * The preload: exposes the contract as window.terasync (see createTeraSyncApi.ts) and nothing
 * else. Sandboxed, so bundled to CommonJS and requiring nothing but 'electron'.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { exposeTeraSyncApi } from './createTeraSyncApi.js';

exposeTeraSyncApi(contextBridge, ipcRenderer);
