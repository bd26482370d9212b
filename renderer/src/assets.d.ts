/** Images imported by the renderer: Vite turns each into the URL of the emitted file. */
declare module '*.png' {
  const url: string;
  export default url;
}
