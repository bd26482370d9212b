/**
 * Small line icons drawn in SVG with the text's colour (emoji and symbol glyphs depend on the
 * fonts a system has). Always decorative: what they mean is written beside them.
 */
export type IconName = 'upload' | 'download' | 'trash' | 'folder' | 'folderPlus' | 'move' | 'warning' | 'error' | 'backup' | 'restore' | 'plus' | 'up';

const paths: Readonly<Record<IconName, string>> = {
  upload: 'M8 13V3M4 7l4-4 4 4',
  download: 'M8 3v10M4 9l4 4 4-4',
  trash: 'M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.7 8.5h5.6l.7-8.5',
  folder: 'M2 4.5h4l1.5 1.5H14v6.5H2z',
  folderPlus: 'M2 4.5h4l1.5 1.5H14v6.5H2zM8 7.5v3.5M6.25 9.25h3.5',
  move: 'M2.5 8h10M9 4.5 12.5 8 9 11.5',
  warning: 'M8 2.5 14 13H2zM8 6.5v3M8 11.2v.3',
  error: 'M4 4l8 8M12 4l-8 8',
  backup: 'M4.5 12.5a3 3 0 0 1-.3-6 4 4 0 0 1 7.6 0 3 3 0 0 1-.3 6M8 13.5V8M6 10l2-2 2 2',
  restore: 'M4.5 11.5a3 3 0 0 1-.3-6 4 4 0 0 1 7.6 0 3 3 0 0 1-.3 6M8 8v5.5M6 11.5l2 2 2-2',
  plus: 'M8 3v10M3 8h10',
  up: 'M6 4 3 7l3 3M3 7h6.5a3 3 0 0 1 3 3v2',
};

export function Icon({ name, size = 16 }: { name: IconName; size?: number }) {
  return (
    <svg className="icon" width={size} height={size} viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d={paths[name]} fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
