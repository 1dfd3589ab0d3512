"""
Ginkgo's commerce app, reduced to what a fresh Ginkgo LMS shows: its first migration
creates the service user `ecommerce_worker` (contract §9), so a fresh LMS is not empty.
"""
