-- The view the API serves: every Citibike trip with the weather of the hour it
-- started in, temperatures in Celsius and Fahrenheit, 35 columns. A secure view,
-- so the role that reads it sees neither its definition nor the tables below.
--
-- Over the tables of Snowflake's Citibike lab ("Zero to Snowflake") in
-- database CITIBIKE: TRIPS as that lab creates it, with its 16 columns
-- TRIPDURATION ... GENDER (the version whose column 13 is MEMBERSHIP_TYPE,
-- loaded from the lab's citibike-trips stage), and JSON_WEATHER_DATA (one
-- OpenWeatherMap document a row, column V). The view publishes
-- MEMBERSHIP_TYPE as NAME, the name the original view's clients read.

USE ROLE SYSADMIN;
USE SCHEMA CITIBIKE.PUBLIC;

CREATE OR REPLACE VIEW WEATHER_VW AS
SELECT
    V:time::TIMESTAMP_NTZ            AS OBSERVATION_TIME,
    V:city.id::INT                   AS CITY_ID,
    V:city.name::STRING              AS CITY_NAME,
    V:city.country::STRING           AS COUNTRY,
    V:city.coord.lat::FLOAT          AS CITY_LAT,
    V:city.coord.lon::FLOAT          AS CITY_LON,
    V:clouds.all::INT                AS CLOUDS,
    V:main.temp::FLOAT               AS TEMP_AVG,
    V:main.temp_min::FLOAT           AS TEMP_MIN,
    V:main.temp_max::FLOAT           AS TEMP_MAX,
    V:weather[0].id::INT             AS WEATHER_ID,
    V:weather[0].main::STRING        AS WEATHER,
    V:weather[0].description::STRING AS WEATHER_DESC,
    V:weather[0].icon::STRING        AS WEATHER_ICON,
    V:wind.deg::FLOAT                AS WIND_DIR,
    V:wind.speed::FLOAT              AS WIND_SPEED
FROM JSON_WEATHER_DATA
WHERE V:city.id::INT = 5128638;

CREATE OR REPLACE SECURE VIEW TRIP_WEATHER_VW AS
SELECT
    T.TRIPDURATION,
    T.STARTTIME,
    T.STOPTIME,
    T.START_STATION_ID,
    T.START_STATION_NAME,
    T.START_STATION_LATITUDE,
    T.START_STATION_LONGITUDE,
    T.END_STATION_ID,
    T.END_STATION_NAME,
    T.END_STATION_LATITUDE,
    T.END_STATION_LONGITUDE,
    T.BIKEID,
    T.MEMBERSHIP_TYPE                          AS NAME,
    T.USERTYPE,
    T.BIRTH_YEAR,
    T.GENDER,
    W.OBSERVATION_TIME,
    W.CITY_ID,
    W.CITY_NAME,
    W.COUNTRY,
    W.CITY_LAT,
    W.CITY_LON,
    W.CLOUDS,
    ROUND(W.TEMP_AVG - 273.15, 2)               AS TEMP_AVG_C,
    ROUND(W.TEMP_MIN - 273.15, 2)               AS TEMP_MIN_C,
    ROUND(W.TEMP_MAX - 273.15, 2)               AS TEMP_MAX_C,
    ROUND((W.TEMP_AVG - 273.15) * 9 / 5 + 32, 2) AS TEMP_AVG_F,
    ROUND((W.TEMP_MIN - 273.15) * 9 / 5 + 32, 2) AS TEMP_MIN_F,
    ROUND((W.TEMP_MAX - 273.15) * 9 / 5 + 32, 2) AS TEMP_MAX_F,
    W.WEATHER_ID,
    W.WEATHER,
    W.WEATHER_DESC,
    W.WEATHER_ICON,
    W.WIND_DIR,
    W.WIND_SPEED
FROM TRIPS T
LEFT OUTER JOIN WEATHER_VW W
  ON DATE_TRUNC('HOUR', T.STARTTIME) = DATE_TRUNC('HOUR', W.OBSERVATION_TIME);
