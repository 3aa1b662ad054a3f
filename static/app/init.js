// Starts GOV.UK Frontend's components. Loaded as a module file because the
// Content-Security-Policy allows no inline scripts; pages work without it.
import { initAll, isSupported } from "../js/govuk-frontend.min.js";

if (isSupported()) {
  initAll();
}
