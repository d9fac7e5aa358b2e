// The built-in providers: importing this module registers them. A provider is one folder and one line here.
import './encore-ts/index.js';
import './generic/index.js';
import './generic-frontend/index.js';
