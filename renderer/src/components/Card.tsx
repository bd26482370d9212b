/**
 * A card: a section of a screen named by its heading (aria-labelledby), the heading first.
 * `className` adds to "card" ("problems", "deleted-pair").
 */
import { useId, type ReactNode } from 'react';

export function Card({ title, className, children }: { title: ReactNode; className?: string; children: ReactNode }) {
  const headingId = useId();
  return (
    <section className={className === undefined ? 'card' : `card ${className}`} aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {children}
    </section>
  );
}
