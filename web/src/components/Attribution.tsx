import Link from '@mui/material/Link';
import Typography from '@mui/material/Typography';
import Box from '@mui/material/Box';

/**
 * Attribution for the built-in emoji art. Keep all credit lines here so
 * they are easy to change in one place. Not translated on purpose: licence
 * notices are quoted verbatim.
 */
export function Attribution() {
  return (
    <Box data-testid="attribution" sx={{ '& p': { mb: 0.5 } }}>
      <Typography variant="body2" color="text.secondary">
        Emoji graphics: Twemoji by Twitter, Inc and other contributors, licensed CC-BY 4.0 (
        <Link href="https://creativecommons.org/licenses/by/4.0/" rel="license noopener" target="_blank">
          https://creativecommons.org/licenses/by/4.0/
        </Link>
        )
      </Typography>
      <Typography variant="body2" color="text.secondary">
        OpenMoji – the open-source emoji and icon project. License:{' '}
        <Link href="https://creativecommons.org/licenses/by-sa/4.0/" rel="license noopener" target="_blank">
          CC BY-SA 4.0
        </Link>
      </Typography>
    </Box>
  );
}
