/**
 * One answer of a fail-safe's choices: its button, and the line under it that says what it
 * does. The answers stand side by side in a `div.choices`.
 */
import type { ReactNode } from 'react';

export function Choice({ help, children }: { help: string; children: ReactNode }) {
  return (
    <div className="choice">
      {children}
      <p className="help">{help}</p>
    </div>
  );
}
