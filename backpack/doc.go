// Package backpack builds the portable record a state hands to a student's new LEA.
//
// It owns the Ed-Fi-shaped backpack model, import from Ed-Fi ODS/API JSON, the merge of a
// student's records with survivorship rules, provenance and conflicts, un-merge, the
// durable audit log (HMAC-chained, anchored), the request and approval workflow with its
// permissions and LEA scope — the only source of staff and guardian views — and the
// de-identified research extract with small-cell suppression.
// It never re-decides identity: which records belong to one student comes from package
// match.
package backpack
