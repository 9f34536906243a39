-- The running counts of a handover (scanned, received, damaged) are read
-- after every scan: this index answers them without reading the rows.

CREATE INDEX handover_scans_counts ON handover_scans (consignment_id, expected, damaged);
