/**
 * Which tray image each system gets. The images are drawn by scripts/icons.mjs into
 * assets/tray/ (committed); these names are the contract between the two, and
 * test/unit/scripts/icons.test.ts checks that every name resolved here exists.
 *
 *   | system  | file                          | why                                               |
 *   | ------- | ----------------------------- | ------------------------------------------------- |
 *   | macOS   | <state>Template.png (+@2x)    | template images: the menu bar tints them for its  |
 *   |         |                               | light or dark look, selected or not               |
 *   | Windows | <state>-<theme>.ico           | Electron's advice for the notification area: one  |
 *   |         |                               | file with 16 to 48 px, Windows picks per DPI      |
 *   | Linux   | <state>-<theme>-22.png (+@2x) | 22 px is what the panels (StatusNotifierItem,     |
 *   |         |                               | KDE, GNOME's AppIndicator extension) show         |
 *
 * Electron loads `name@2x.png` beside `name.png` by itself on a high-density display.
 */
import path from 'node:path';
import type { TrayState } from './trayState.js';

/** The panel the icon sits on: a 'light' panel wants a dark glyph, a 'dark' panel a light one. */
export type PanelTheme = 'light' | 'dark';

export type TrayIconResolver = (state: TrayState, theme: PanelTheme, platform: NodeJS.Platform) => string;

/** The sizes (px, at 1x) drawn for light and dark panels; each also has an @2x file. */
export const trayIconSizes = [16, 22, 24, 32] as const;
/** The sizes packed into each Windows .ico. */
export const windowsIcoSizes = [16, 20, 24, 32, 40, 48] as const;
export const macTemplateSize = 16;
export const linuxTraySize = 22;

export function trayPngName(state: TrayState, theme: PanelTheme, size: number, scale: 1 | 2 = 1): string {
  return `${state}-${theme}-${size}${scale === 2 ? '@2x' : ''}.png`;
}

export function trayTemplateName(state: TrayState, scale: 1 | 2 = 1): string {
  return `${state}Template${scale === 2 ? '@2x' : ''}.png`;
}

export function trayIcoName(state: TrayState, theme: PanelTheme): string {
  return `${state}-${theme}.ico`;
}

/** The resolver for icons in `folder` (assets/tray, or wherever the build copies it). */
export function createTrayIconResolver(folder: string): TrayIconResolver {
  return (state, theme, platform) => {
    if (platform === 'darwin') return path.join(folder, trayTemplateName(state));
    if (platform === 'win32') return path.join(folder, trayIcoName(state, theme));
    return path.join(folder, trayPngName(state, theme, linuxTraySize));
  };
}

/** What Electron's nativeTheme says, as far as the panel is concerned. */
export interface SystemColors {
  /** nativeTheme.shouldUseDarkColors */
  shouldUseDarkColors: boolean;
  /** nativeTheme.shouldUseDarkColorsForSystemIntegratedUI (macOS and Windows) */
  shouldUseDarkColorsForSystemIntegratedUI: boolean;
}

/**
 * The panel's colour, which is not always the app's:
 * - Windows: the taskbar follows the "Windows mode" (Windows 10's default is a dark taskbar
 *   with light apps), which only shouldUseDarkColorsForSystemIntegratedUI reports.
 * - macOS: template images make it moot; the system colours are passed through.
 * - Linux: the GTK theme (what nativeTheme reports) says nothing about the panel, and the
 *   default panels of GNOME Shell, Ubuntu, Cinnamon and XFCE are dark in every theme, so a
 *   light glyph. KDE Plasma's light panel is the exception a later setting could cover.
 */
export function panelTheme(platform: NodeJS.Platform, colors: SystemColors): PanelTheme {
  if (platform === 'win32' || platform === 'darwin') return colors.shouldUseDarkColorsForSystemIntegratedUI ? 'dark' : 'light';
  return 'dark';
}
