// Package widgets holds Keyward's reusable visual parts. They know nothing
// of keys, users or storage: each shows state kept in exported fields,
// changed with SetXxx methods, and reports the user's actions through
// OnXxx callbacks for the console to act on.
package widgets
