// fast-check's global limits: no property run may hang CI. A run that hits
// the time limit fails (it is never taken as a pass).
import fc from 'fast-check';

fc.configureGlobal({ interruptAfterTimeLimit: 50_000, markInterruptAsFailure: true });
