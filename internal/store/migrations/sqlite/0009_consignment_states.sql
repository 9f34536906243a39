-- Parcels of a consignment by state: closing a consignment asks whether
-- any parcel is not yet in a final state.
CREATE INDEX consignment_parcels_state ON consignment_parcels (consignment_id, state);
