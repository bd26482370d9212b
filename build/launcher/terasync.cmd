@echo off
rem The `terasync` command of an installed TeraSync (Windows): runs the command-line bundle
rem inside the app with the app's own Electron as Node, so no separate Node.js is needed.
setlocal
set ELECTRON_RUN_AS_NODE=1
"%~dp0..\..\TeraSync.exe" "%~dp0..\app.asar\bin\terasync.js" %*
