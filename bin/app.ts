import { buildApp } from '../lib/build-app.js';

buildApp().app.synth();
