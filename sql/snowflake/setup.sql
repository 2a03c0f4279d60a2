-- Sets up Snowflake for warehouse-api: a warehouse that suspends itself, runs
-- no statement longer than an hour and stops at a monthly credit quota (a
-- resource monitor), a role with least privilege (usage on the warehouse, database and schema;
-- SELECT on the exposed views and nothing else), and a service user that
-- signs in with a key pair only.
--
-- Before running: create the key pair (see the README, "Snowflake") and paste
-- the public key's body (rsa_key.pub without its BEGIN/END lines) below.
-- Run create_secure_vw.sql first, so that the view exists to be granted.

USE ROLE SYSADMIN;

CREATE WAREHOUSE IF NOT EXISTS API_WH
  WAREHOUSE_SIZE = XSMALL
  AUTO_SUSPEND = 60
  AUTO_RESUME = TRUE
  INITIALLY_SUSPENDED = TRUE
  COMMENT = 'warehouse-api: runs the views its clients ask for';

-- Snowflake stops any statement on the warehouse after an hour (error 000630,
-- which the API reports as QUERY_TIMEOUT); keep it at or above the API's own
-- warehouse.query.timeout (PT30M), which cancels first.
ALTER WAREHOUSE API_WH SET STATEMENT_TIMEOUT_IN_SECONDS = 3600;

-- A monthly credit quota: notify at 80%, suspend once running statements end
-- at 100%, suspend at once at 110%. Creating a resource monitor takes
-- ACCOUNTADMIN; adjust CREDIT_QUOTA to the budget.
USE ROLE ACCOUNTADMIN;
CREATE RESOURCE MONITOR IF NOT EXISTS API_WH_MONITOR
  WITH CREDIT_QUOTA = 20
  FREQUENCY = MONTHLY
  START_TIMESTAMP = IMMEDIATELY
  TRIGGERS ON 80 PERCENT DO NOTIFY
           ON 100 PERCENT DO SUSPEND
           ON 110 PERCENT DO SUSPEND_IMMEDIATE;
ALTER WAREHOUSE API_WH SET RESOURCE_MONITOR = API_WH_MONITOR;

USE ROLE SECURITYADMIN;

CREATE ROLE IF NOT EXISTS API_READER
  COMMENT = 'warehouse-api: reads the exposed views, nothing else';

GRANT USAGE ON WAREHOUSE API_WH TO ROLE API_READER;
GRANT USAGE ON DATABASE CITIBIKE TO ROLE API_READER;
GRANT USAGE ON SCHEMA CITIBIKE.PUBLIC TO ROLE API_READER;
-- One grant per view the API exposes. The API lists the views of its schema
-- that its role can see, so what is granted here is what is exposed.
GRANT SELECT ON VIEW CITIBIKE.PUBLIC.TRIP_WEATHER_VW TO ROLE API_READER;

CREATE USER IF NOT EXISTS API_SERVICE
  TYPE = SERVICE
  DEFAULT_ROLE = API_READER
  DEFAULT_WAREHOUSE = API_WH
  DEFAULT_NAMESPACE = CITIBIKE.PUBLIC
  RSA_PUBLIC_KEY = 'MIIBIjANBgkqh...paste the public key here...IDAQAB'
  COMMENT = 'warehouse-api service user: key-pair sign-in only';

GRANT ROLE API_READER TO USER API_SERVICE;

-- Rotating the key later: set RSA_PUBLIC_KEY_2 to the new key, switch the
-- API's private key, then unset RSA_PUBLIC_KEY.
-- ALTER USER API_SERVICE SET RSA_PUBLIC_KEY_2 = '...';
