import { defineConfig } from "vite";

const page = (name: string) => new URL(`${name}.html`, import.meta.url).pathname;

export default defineConfig({
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "safari15",
    // The polyfill would be an inline script, which the CSP forbids.
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: { main: page("main"), settings: page("settings"), about: page("about") },
    },
  },
});
