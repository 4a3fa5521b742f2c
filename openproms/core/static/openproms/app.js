// Starts the NHS.UK frontend components and puts focus on an error summary.
import { initAll } from "../vendor/nhsuk-frontend/nhsuk-frontend.min.js";

initAll();
