// Package builders turns Bellwork objects into the objects they should
// become: the tenant namespace and its guard rails, credential Secrets,
// CloudNativePG objects, the directory entry. Builders are pure: no API
// client, no clock, no randomness; the controllers compare what a builder
// returns with what exists and write only the difference. A builder returns
// nil when the object should not exist.
package builders
