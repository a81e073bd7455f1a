-- One database per service (docker compose); the local stack creates them itself.
CREATE DATABASE intake;
CREATE DATABASE assistance;
CREATE DATABASE child_protection;
CREATE DATABASE vagrant_rescue;
CREATE DATABASE notifications;
CREATE DATABASE timeline;
