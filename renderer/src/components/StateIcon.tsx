/**
 * The tray's icon for the app's state, in the window: the same images (assets/tray, drawn by
 * npm run icons), the variant for a light or a dark background picked by CSS from the theme.
 * Decorative: the state is always written beside it.
 */
import type { TrayState } from '../../../shared/appState.js';
import idleLight from '../../../assets/tray/idle-light-32@2x.png';
import idleDark from '../../../assets/tray/idle-dark-32@2x.png';
import syncingLight from '../../../assets/tray/syncing-light-32@2x.png';
import syncingDark from '../../../assets/tray/syncing-dark-32@2x.png';
import pausedLight from '../../../assets/tray/paused-light-32@2x.png';
import pausedDark from '../../../assets/tray/paused-dark-32@2x.png';
import offlineLight from '../../../assets/tray/offline-light-32@2x.png';
import offlineDark from '../../../assets/tray/offline-dark-32@2x.png';
import errorLight from '../../../assets/tray/error-light-32@2x.png';
import errorDark from '../../../assets/tray/error-dark-32@2x.png';
import conflictsLight from '../../../assets/tray/conflicts-light-32@2x.png';
import conflictsDark from '../../../assets/tray/conflicts-dark-32@2x.png';
import failsafeLight from '../../../assets/tray/failsafe-light-32@2x.png';
import failsafeDark from '../../../assets/tray/failsafe-dark-32@2x.png';

const images: Readonly<Record<TrayState, { light: string; dark: string }>> = {
  idle: { light: idleLight, dark: idleDark },
  syncing: { light: syncingLight, dark: syncingDark },
  paused: { light: pausedLight, dark: pausedDark },
  offline: { light: offlineLight, dark: offlineDark },
  error: { light: errorLight, dark: errorDark },
  conflicts: { light: conflictsLight, dark: conflictsDark },
  failsafe: { light: failsafeLight, dark: failsafeDark },
};

export function StateIcon({ state, size = 32 }: { state: TrayState; size?: number }) {
  const image = images[state];
  return (
    <span className="state-icon" data-state={state}>
      <img className="on-light" src={image.light} alt="" width={size} height={size} />
      <img className="on-dark" src={image.dark} alt="" width={size} height={size} />
    </span>
  );
}
