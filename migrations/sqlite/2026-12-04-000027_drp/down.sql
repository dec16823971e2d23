DROP TABLE drp_callbacks;
DROP TABLE drp_requests;
DROP TABLE drp_agents;
